// The floor a route of ours is measured against: workerd running one Hono route, nothing else —
// no middleware, no bindings. bench/lib/bare-worker.ts bundles and starts it next to the app.
import { Hono } from 'hono';

export default new Hono().get('/healthz/live', (c) => c.json({ status: 'ok' }));
