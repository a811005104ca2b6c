import { SELF } from 'cloudflare:test';
import { expect, it } from 'vitest';

it('answers the liveness check without I/O', async () => {
  const res = await SELF.fetch('https://shop.test/healthz/live');
  expect(await res.json()).toEqual({ status: 'ok' });
});

it('answers the health check', async () => {
  const res = await SELF.fetch('https://shop.test/healthz');
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ status: 'ok', catalog_version: 1 });
});
