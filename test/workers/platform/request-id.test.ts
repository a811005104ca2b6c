// Every request gets an id: returned in X-Request-Id, carried in every error body
// (error.request_id) and in every log line, which are JSON. Ids from outside are taken only when
// well-formed.
import { env, SELF } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../../src/app';
import { BASE, json } from '../../fixtures/helpers';

const generated = /^req_[0-9a-z]{16}$/;

/** The JSON lines the worker wrote to console.log / console.error while `run` ran (in this isolate). */
async function logged<T>(run: () => T | Promise<T>) {
  const lines: string[] = [];
  const capture = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
  const log = vi.spyOn(console, 'log').mockImplementation(capture);
  const error = vi.spyOn(console, 'error').mockImplementation(capture);
  try {
    const result = await run();
    return { result, lines: lines.map((l) => JSON.parse(l) as Record<string, any>) };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('request ids', () => {
  it('a response carries a new id unless the request brought a well-formed one', async () => {
    const plain = await SELF.fetch(`${BASE}/healthz/live`);
    expect(plain.headers.get('X-Request-Id')).toMatch(generated);
    const again = await SELF.fetch(`${BASE}/healthz/live`);
    expect(again.headers.get('X-Request-Id')).not.toBe(plain.headers.get('X-Request-Id'));

    const fromClient = await SELF.fetch(`${BASE}/healthz/live`, { headers: { 'X-Request-Id': 'mini_3f9a-77c2' } });
    expect(fromClient.headers.get('X-Request-Id')).toBe('mini_3f9a-77c2');
    const ray = await SELF.fetch(`${BASE}/healthz/live`, { headers: { 'CF-Ray': '8f2c1e0b9a7d3c4e-SIN' } });
    expect(ray.headers.get('X-Request-Id')).toBe('8f2c1e0b9a7d3c4e-SIN');

    for (const bad of ['short', 'x'.repeat(65), 'has space inside', 'new\nline-injected', '{"level":"error"}']) {
      const res = await SELF.fetch(`${BASE}/healthz/live`, { headers: { 'X-Request-Id': bad.replace('\n', '%0A') } });
      expect(res.headers.get('X-Request-Id'), bad).toMatch(generated);
    }
    const badRay = await SELF.fetch(`${BASE}/healthz/live`, { headers: { 'CF-Ray': 'anything at all' } });
    expect(badRay.headers.get('X-Request-Id')).toMatch(generated);
  });

  it('is in the body of a 400, a 404, a 413 and a 429, equal to the header', async () => {
    const answers = [
      await SELF.fetch(`${BASE}/products?limit=zero`),
      await SELF.fetch(`${BASE}/no-such-route`),
      await SELF.fetch(`${BASE}/products/prd_doesnotexist`),
      await SELF.fetch(`${BASE}/cart/items`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: 'x'.repeat(300 * 1024) }),
    ];
    expect(answers.map((r) => r.status)).toEqual([400, 404, 404, 413]);
    for (const res of answers) {
      const body = await json<{ error: { request_id: string } }>(res);
      expect(body.error.request_id).toBe(res.headers.get('X-Request-Id'));
      expect(body.error.request_id).toMatch(generated);
    }
    // 429: test/workers/platform/rate-limits.test.ts checks error.request_id on every limited route.
  });

  it('a request re-dispatched for X-HTTP-Method-Override keeps one id and one log line', async () => {
    const app = createApp();
    const { result: res, lines } = await logged(() => app.request('/me', { method: 'POST', headers: { 'X-HTTP-Method-Override': 'PATCH', 'Content-Type': 'application/json' }, body: '{}' }, env));
    expect(res.status).toBe(401);
    const body = await json<{ error: { request_id: string } }>(res);
    expect(body.error.request_id).toBe(res.headers.get('X-Request-Id'));
    expect(lines.filter((l) => l.msg === 'request')).toEqual([
      { level: 'info', msg: 'request', request_id: body.error.request_id, method: 'POST', path: '/me', status: 401, duration_ms: expect.any(Number) },
    ]);
  });

  it('an unhandled error is a 500 internal_error with the id, logged as one JSON line with its stack and the same id', async () => {
    // A worker whose D1 binding is broken: the health check's query throws a plain TypeError.
    const broken = { ...env, DB: {} as D1Database };
    const { result: res, lines } = await logged(() => createApp().request('/healthz', {}, broken));
    expect(res.status).toBe(500);
    const body = await json<{ error: { code: string; request_id: string } }>(res);
    expect(body.error.code).toBe('internal_error');
    const id = res.headers.get('X-Request-Id');
    expect(body.error.request_id).toBe(id);

    const failure = lines.find((l) => l.level === 'error');
    expect(failure).toMatchObject({ msg: 'unhandled error', request_id: id, method: 'GET', path: '/healthz', error: { name: 'TypeError' } });
    expect(failure!.error.stack).toContain('TypeError');
    expect(lines.find((l) => l.msg === 'request')).toMatchObject({ request_id: id, status: 500, method: 'GET', path: '/healthz' });
  });

  it('a cached storefront answer gets the id of its own request, not of the one that filled the cache', async () => {
    const first = await SELF.fetch(`${BASE}/categories`);
    const second = await SELF.fetch(`${BASE}/categories`);
    expect(second.headers.get('X-Cache')).toBe('HIT');
    expect(second.headers.get('X-Request-Id')).toMatch(generated);
    expect(second.headers.get('X-Request-Id')).not.toBe(first.headers.get('X-Request-Id'));
  });

  it('log lines stay bounded whatever the request carries', async () => {
    const { lines } = await logged(() => createApp().request(`/${'a'.repeat(5000)}`, {}, env));
    const line = lines.find((l) => l.msg === 'request')!;
    expect(line.path.length).toBeLessThanOrEqual(2001);
  });
});
