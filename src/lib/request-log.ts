// The first middleware: gives every request an id and writes one JSON log line when it is answered.
// The id is returned in X-Request-Id, carried in every error body (error.request_id) and in every
// log line written while the request is handled (log.ts).
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { newId } from './ids';
import { currentRequestId, logEvent, runInRequest } from './log';

export const REQUEST_ID_HEADER = 'X-Request-Id';

// What we take from outside, and only when well-formed, so nothing arbitrary reaches the logs:
// - X-Request-Id from the client (the mini-program or a merchant's integration) when it is 8–64 of
//   A-Z a-z 0-9 _ -: the caller can then find its own request in our logs. It is a correlation id,
//   not a credential; a client that reuses one only confuses its own lines.
// - else Cloudflare's CF-Ray ("8f2c1e0b9a7d3c4e-SIN"), which the edge sets and which ties our line
//   to Cloudflare's own request logs;
// - else a new random id.
const clientRequestId = /^[A-Za-z0-9_-]{8,64}$/;
const cfRay = /^[0-9a-f]{16}-[A-Z]{3}$/;

export function acceptedRequestId(fromClient: string | undefined, ray: string | undefined): string {
  if (fromClient !== undefined && clientRequestId.test(fromClient)) return fromClient;
  if (ray !== undefined && cfRay.test(ray)) return ray;
  return newId('req');
}

/** A request this slow is always logged, whatever its status. */
const SLOW_REQUEST_MS = 1_000;

/**
 * Every failure, every refusal of a bad or unauthorised request, and every slow request gets its
 * line. A quick success, and a quick 409 or 422 — a business answer such as sold out, room full or
 * already helped, which a burst gives by the thousand — only at the configured rate
 * (REQUEST_LOG_SUCCESS_SAMPLE, 0–1, unset = all). In production Workers Logs already keeps an
 * invocation record of every request, and a JSON line per request is a cost on the hottest path
 * (about a fifth of a bare route's throughput locally) that says little.
 */
export function worthALine(status: number, durationMs: number, successSample: string | undefined): boolean {
  const businessAnswer = status < 400 || status === 409 || status === 422;
  if (!businessAnswer || durationMs >= SLOW_REQUEST_MS) return true;
  const rate = successSample === undefined || successSample === '' ? 1 : Number(successSample);
  return Number.isFinite(rate) && Math.random() < rate;
}

export const requestLog = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    // The mini-program's POST + X-HTTP-Method-Override is dispatched again through the app from
    // inside this request: it keeps the outer request's id and its one log line.
    const outer = currentRequestId();
    if (outer !== undefined) {
      c.set('requestId', outer);
      return next();
    }
    const requestId = acceptedRequestId(c.req.header(REQUEST_ID_HEADER), c.req.header('CF-Ray'));
    c.set('requestId', requestId);
    // A measurement, not a decision: the injectable clock is for rules; this is the runtime's timer.
    const started = performance.now();
    // src/http/answer-headers.ts puts the id on the answer.
    await runInRequest(requestId, next);
    // After the request's scope has ended, so its id is given here.
    const durationMs = Math.round(performance.now() - started);
    if (!worthALine(c.res.status, durationMs, c.env.REQUEST_LOG_SUCCESS_SAMPLE)) return;
    logEvent('info', 'request', {
      request_id: requestId,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      duration_ms: durationMs,
    });
  });
