// Health checks. /healthz/live does no I/O (liveness, and the benchmarks' baseline route);
// /healthz also proves D1 answers.
import { Hono } from 'hono';
import type { AppEnv } from '../src/env';

export const healthRoutes = new Hono<AppEnv>()
  .get('/healthz/live', (c) => c.json({ status: 'ok' }))
  .get('/healthz', async (c) => {
    const row = await c.env.DB.prepare('SELECT version FROM catalog_state WHERE id = 1').first<{ version: number }>();
    return c.json({ status: 'ok', catalog_version: row?.version ?? null, time: new Date(c.var.clock.now()).toISOString() });
  });
