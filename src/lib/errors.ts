// One error type for the whole API. Every failure reaches the client as
// {"error": {"code", "message", "details"}} with the status DESIGN.md assigns to its class.
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export type ErrorDetail = { path: string; message: string };

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    // A 4xx is an answer about the request, not a fault of ours: nobody reads where it was
    // thrown, and V8 capturing that stack was a tenth of a refused request's CPU in a burst
    // (bench:profile). A 5xx keeps its stack for the log.
    const stackFrames = Error.stackTraceLimit;
    if (status < 500) Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = stackFrames;
  }

  /** The API's error body; request_id (the X-Request-Id of the request) lets a report be matched to our logs. */
  toBody(requestId?: string) {
    return { error: { code: this.code, message: this.message, details: this.details, ...(requestId !== undefined && { request_id: requestId }) } };
  }
}

export const invalidInput = (details: ErrorDetail[], message = 'The request is invalid.') => new ApiError(400, 'invalid_input', message, details);
export const unauthorized = (message = 'Authentication is required.') => new ApiError(401, 'unauthorized', message);
export const forbidden = (message = 'Your role does not allow this.') => new ApiError(403, 'forbidden', message);
export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} was not found.`);
export const conflict = (code: string, message: string) => new ApiError(409, code, message);
export const businessRule = (code: string, message: string, details: ErrorDetail[] = []) => new ApiError(422, code, message, details);
export const tooManyRequests = (retryAfterSeconds: number, message = 'Too many requests; try again later.') =>
  new ApiError(429, 'rate_limited', message, [], { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) });
