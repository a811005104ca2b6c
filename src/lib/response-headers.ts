// Changing a route's answer after it has been made. Most answers are ours (c.json, a cached body
// in new Headers) and mutable; one passed through from fetch() has immutable headers and is
// copied once.
import type { Context } from 'hono';

/** Hono merges the old response's headers into a newly assigned c.res; clearing it first avoids that. */
export function replaceResponse(c: Context, response: Response) {
  c.res = undefined as unknown as Response;
  c.res = response;
}

export function setResponseHeaders(c: Context, headers: readonly (readonly [string, string])[]) {
  try {
    for (const [name, value] of headers) c.res.headers.set(name, value);
  } catch {
    replaceResponse(c, new Response(c.res.body, c.res));
    for (const [name, value] of headers) c.res.headers.set(name, value);
  }
}
