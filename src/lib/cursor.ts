// Opaque pagination cursors: base64url JSON that the client hands back unchanged.
// A cursor that does not decode to the expected shape is a 400, never a 500.
import * as v from 'valibot';
import { decodeBase64Url, encodeBase64Url } from './base64url';
import { invalidInput } from './errors';

export function encodeCursor(value: unknown): string {
  return encodeBase64Url(new TextEncoder().encode(JSON.stringify(value)));
}

export function decodeCursor<S extends v.GenericSchema>(cursor: string, schema: S): v.InferOutput<S> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(decodeBase64Url(cursor)));
  } catch {
    throw invalidInput([{ path: 'query.cursor', message: 'The cursor is not one this API issued.' }]);
  }
  const result = v.safeParse(schema, parsed);
  if (!result.success) throw invalidInput([{ path: 'query.cursor', message: 'The cursor is not one this API issued.' }]);
  return result.output;
}
