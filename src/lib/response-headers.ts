// Changing a route's answer after it has been made. Most answers are ours (c.json, a cached body
// in new Headers) and mutable; one passed through from fetch() has immutable headers and is
// copied once.
import type { Context } from 'hono';

/** Hono merges the old response's headers into a newly assigned c.res; clearing it first avoids that. */
export function replaceResponse(c: Context, response: Response) {
  c.res = undefined as unknown as Response;
  c.res = response;
}

/** Sets `headers` (and `first`, which saves its caller building a list per request) on c.res. */
export function setResponseHeaders(c: Context, headers: readonly (readonly [string, string])[], first?: readonly [string, string]) {
  try {
    setEach(c.res.headers, headers, first);
  } catch {
    replaceResponse(c, new Response(c.res.body, c.res));
    setEach(c.res.headers, headers, first);
  }
}

function setEach(target: Headers, headers: readonly (readonly [string, string])[], first: readonly [string, string] | undefined) {
  if (first) target.set(first[0], first[1]);
  for (const [name, value] of headers) target.set(name, value);
}
