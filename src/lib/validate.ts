// Valibot validation for every route input. Failures become one 400 whose details name each
// offending field by path ("body.skus.0.price_fen"), so clients can point at the exact field.
//
// Request bodies are JSON objects, sent as `Content-Type: application/json` (a charset parameter
// is fine). Hono's own json validator treats any other content type as an empty object and lets
// `[]` or `1` through to the schema; here a body that is not application/json is a 415
// `unsupported_media_type`, and a JSON value that is not an object (array, scalar, null) or an
// empty body is a 400 naming `body`. A route that takes no body says so with `noBody`, the only
// place an empty body is accepted. Every body check of every route lives in this file.
import { vValidator } from '@hono/valibot-validator';
import type { Context, MiddlewareHandler, ValidationTargets } from 'hono';
import * as v from 'valibot';
import { ApiError, invalidInput } from './errors';
import { documentedInput } from './openapi';
import type { AppEnv } from '../env';

/** Which body each route's middleware declares; test/workers/platform/bad-bodies.test.ts walks the app with it. */
export const bodyContracts = new WeakMap<object, 'json' | 'none'>();

export const validate = <T extends v.GenericSchema, Target extends keyof ValidationTargets>(target: Target, schema: T) => {
  const middleware = documentedInput(
    target,
    schema,
    vValidator(target, schema, async (result, c) => {
      // Hono has parsed the body once (c.req.json() answers from its cache); the text is read
      // again (through a new Response) only to say why it was refused: a body not sent as JSON
      // (Hono's validator then validates {} instead) or one that is not an object (valibot's
      // objects take arrays), which a schema of optional fields would let through.
      if (target === 'json' && (!result.success || !JSON_MEDIA_TYPE.test(mediaTypeOf(c)) || !isJsonObject(await c.req.json()))) await requireJsonObjectBody(c);
      if (!result.success) throw invalidInputOf(target, result.issues);
    }),
  );
  if (target === 'json') bodyContracts.set(middleware, 'json');
  return middleware;
};

/**
 * For a route that documents "no body": an empty body (with or without a Content-Type) passes,
 * and so does `{}` sent as JSON; anything else is refused like a bad JSON body.
 */
export const noBody: MiddlewareHandler = async (c, next) => {
  if ((await c.req.text()).trim() !== '') {
    const body = await requireJsonObjectBody(c);
    const fields = Object.keys(body);
    if (fields.length) throw invalidInput(fields.map((f) => ({ path: `body.${f}`, message: 'this request takes no body' })));
  }
  await next();
};
bodyContracts.set(noBody, 'none');

const JSON_MEDIA_TYPE = /^application\/json$/i;
const mediaTypeOf = (c: Context) => (c.req.header('Content-Type') ?? '').split(';')[0]!.trim();

const isJsonObject = (body: unknown): body is Record<string, unknown> => typeof body === 'object' && body !== null && !Array.isArray(body);

/** The 400 for a schema's issues, each at its place in the request (body.…, query.…, header.…). */
function invalidInputOf(target: keyof ValidationTargets, issues: readonly v.BaseIssue<unknown>[]) {
  const prefix = target === 'json' || target === 'form' ? 'body' : target;
  return invalidInput(
    issues.map((issue) => {
      const path = v.getDotPath(issue);
      return { path: path ? `${prefix}.${path}` : prefix, message: issue.message };
    }),
  );
}

/** The request's body as a JSON object, or the 415 / 400 that says why it is not one. */
async function requireJsonObjectBody(c: Context): Promise<Record<string, unknown>> {
  const mediaType = mediaTypeOf(c);
  const text = await c.req.text();
  if (!JSON_MEDIA_TYPE.test(mediaType)) {
    if (text.trim() === '') throw invalidInput([{ path: 'body', message: 'a JSON object is required' }]);
    throw new ApiError(415, 'unsupported_media_type', 'Request bodies must be JSON, sent as Content-Type: application/json.', [
      { path: 'header.content-type', message: mediaType ? `${mediaType} is not application/json` : 'is missing' },
    ]);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw invalidInput([{ path: 'body', message: text.trim() === '' ? 'a JSON object is required' : 'is not valid JSON' }]);
  }
  if (!isJsonObject(body)) {
    throw invalidInput([{ path: 'body', message: `must be a JSON object, not ${body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body}` }]);
  }
  return body as Record<string, unknown>;
}

/** Largest amount of money accepted anywhere: ¥10,000,000.00. */
export const MAX_FEN = 1_000_000_000;

export const fen = v.pipe(v.number('must be an integer number of fen'), v.integer('must be an integer number of fen'), v.minValue(0, 'must not be negative'), v.maxValue(MAX_FEN, 'is too large'));

/** Query-string integer in [min, max]. */
export const queryInt = (min: number, max: number) =>
  v.pipe(v.string(), v.regex(/^-?\d{1,12}$/, 'must be an integer'), v.transform(Number), v.number(), v.minValue(min, `must be at least ${min}`), v.maxValue(max, `must be at most ${max}`));

export const queryBool = v.pipe(
  v.picklist(['true', 'false', '1', '0'], 'must be true or false'),
  v.transform((s) => s === 'true' || s === '1'),
);

/** Pagination query: ?cursor=&limit= (limit 1–50, default 20). */
export const pageQuery = {
  cursor: v.optional(v.pipe(v.string(), v.maxLength(512, 'is too long'))),
  limit: v.optional(queryInt(1, 50), '20'),
};

export const text = (max: number, min = 1) =>
  v.pipe(v.string(), v.trim(), v.minLength(min, min === 1 ? 'must not be empty' : `must have at least ${min} characters`), v.maxLength(max, `must have at most ${max} characters`));

export const httpsUrl = v.pipe(v.string(), v.maxLength(1024, 'is too long'), v.url('must be a URL'), v.regex(/^https?:\/\//, 'must be an http(s) URL'));

/** A prefixed id such as prd_0123456789abcdef. */
export const idOf = (prefix: string) => v.pipe(v.string(), v.maxLength(64, 'is too long'), v.regex(new RegExp(`^${prefix}_[0-9a-z_]{1,60}$`), `must be a ${prefix}_ id`));

const idempotencyKeySchema = v.object({
  'idempotency-key': v.pipe(v.string('the Idempotency-Key header is required'), v.regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8–64 of A-Z a-z 0-9 _ -')),
});
type IdempotencyKeyInput = { in: { header: v.InferInput<typeof idempotencyKeySchema> }; out: { header: v.InferOutput<typeof idempotencyKeySchema> } };

/**
 * The Idempotency-Key header that order- and payment-creating POSTs require. It reads the one
 * header: Hono's header validator copies every header of the request into an object first (a
 * burst's refusals spent a few µs each on that).
 */
export const idempotencyHeader: MiddlewareHandler<AppEnv, string, IdempotencyKeyInput> = documentedInput('header', idempotencyKeySchema, async (c, next) => {
  const result = v.safeParse(idempotencyKeySchema, { 'idempotency-key': c.req.header('idempotency-key') });
  if (!result.success) throw invalidInputOf('header', result.issues);
  c.req.addValidatedData('header', result.output);
  await next();
});
