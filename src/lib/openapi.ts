// The OpenAPI document is generated from the valibot schemas that validate the requests (hono-openapi
// walks the app's routes and reads what each handler registered). validate() registers every
// schema here, so a route's params, query, headers and body are documented by validating them.
import type { Hono, MiddlewareHandler, ValidationTargets } from 'hono';
import { generateSpecs, resolver, uniqueSymbol } from 'hono-openapi';
import type * as v from 'valibot';

/** JSON Schema of what a client sends (before transforms), not of what the handler receives. */
const requestSchemaOptions = { options: { typeMode: 'input' } };

/** Marks a validating middleware with its schema for the OpenAPI document; behaviour is unchanged. */
export function documentedInput<M extends MiddlewareHandler>(target: keyof ValidationTargets, schema: v.GenericSchema, middleware: M): M {
  // The admin page's forms post urlencoded fields.
  const options = target === 'form' ? { media: 'application/x-www-form-urlencoded' } : undefined;
  return Object.assign(middleware, { [uniqueSymbol]: { target, ...resolver(schema, requestSchemaOptions), options } });
}

/** The API's error body, as every 4xx/5xx answers it. */
const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'details', 'request_id'],
      properties: {
        code: { type: 'string', description: "A stable code (README's codes table), e.g. invalid_input, rate_limited." },
        message: { type: 'string' },
        details: { type: 'array', items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } } },
        request_id: { type: 'string', description: 'The X-Request-Id of the request.' },
      },
    },
  },
} as const;

export type ApiDocument = Awaited<ReturnType<typeof generateSpecs>>;
type Operation = { tags?: string[]; [key: string]: unknown };

/**
 * The OpenAPI 3.1 document of every route of `app`: routes without a schema are listed too
 * (includeEmptyPaths). Operations get a tag from their area (the first path segment; admin ones
 * "admin …") unless a describeRoute gave one.
 */
// biome-ignore lint/suspicious/noExplicitAny: any app, whatever its env, schema and base path.
export async function apiDocument(app: Hono<any, any, any>): Promise<ApiDocument> {
  const document = await generateSpecs(app, {
    includeEmptyPaths: true,
    excludeStaticFile: false,
    documentation: {
      info: {
        title: 'edge-mall API',
        version: '1',
        description: 'Generated from the valibot schemas that validate each request. Errors: {"error": {code, message, details, request_id}} (README\'s codes table).',
      },
      components: { schemas: { Error: errorSchema as never } },
    },
    defaultValidationErrorResponse: errorResponse('Invalid input: details name each field by path.') as never,
  });
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const operation of Object.values(item ?? {}) as Operation[]) {
      if (!operation || typeof operation !== 'object') continue;
      if (!operation.tags?.length) operation.tags = [areaOf(path)];
    }
  }
  return document;
}

function areaOf(path: string): string {
  const [first, second] = path.split('/').filter(Boolean);
  if (first === 'admin') return second === 'api' ? `admin ${path.split('/')[3] ?? ''}`.trim() : 'admin pages';
  return first ?? 'root';
}
