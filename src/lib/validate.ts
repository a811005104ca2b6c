// Valibot validation for every route input. Failures become one 400 whose details name each
// offending field by path ("body.skus.0.price_fen"), so clients can point at the exact field.
import { vValidator } from '@hono/valibot-validator';
import type { ValidationTargets } from 'hono';
import * as v from 'valibot';
import { invalidInput } from './errors';
import { documentedInput } from './openapi';

export const validate = <T extends v.GenericSchema, Target extends keyof ValidationTargets>(target: Target, schema: T) =>
  documentedInput(target, schema, vValidator(target, schema, (result) => {
    const prefix = target === 'json' || target === 'form' ? 'body' : target;
    if (!result.success) {
      throw invalidInput(
        result.issues.map((issue) => {
          const path = v.getDotPath(issue);
          return { path: path ? `${prefix}.${path}` : prefix, message: issue.message };
        }),
      );
    }
  }));

/** Largest amount of money accepted anywhere: ¥10,000,000.00. */
export const MAX_FEN = 1_000_000_000;

export const fen = v.pipe(v.number('must be an integer number of fen'), v.integer('must be an integer number of fen'), v.minValue(0, 'must not be negative'), v.maxValue(MAX_FEN, 'is too large'));

/** Query-string integer in [min, max]. */
export const queryInt = (min: number, max: number) =>
  v.pipe(
    v.string(),
    v.regex(/^-?\d{1,12}$/, 'must be an integer'),
    v.transform(Number),
    v.number(),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );

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
export const idOf = (prefix: string) =>
  v.pipe(v.string(), v.maxLength(64, 'is too long'), v.regex(new RegExp(`^${prefix}_[0-9a-z_]{1,60}$`), `must be a ${prefix}_ id`));

/** The Idempotency-Key header that order- and payment-creating POSTs require. */
export const idempotencyHeader = validate(
  'header',
  v.object({ 'idempotency-key': v.pipe(v.string('the Idempotency-Key header is required'), v.regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8–64 of A-Z a-z 0-9 _ -')) }),
);
