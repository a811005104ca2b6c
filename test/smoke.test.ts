import { SELF } from 'cloudflare:test';
import { expect, it } from 'vitest';

it('answers the health check', async () => {
  const res = await SELF.fetch('https://shop.test/healthz');
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ status: 'ok', catalog_version: 1 });
});
