// Every route that takes a body, found by walking the app itself, refuses bodies that are not a
// JSON object sent as application/json: arrays, scalars, null, text/plain, no Content-Type,
// form-encoded, empty. Each answer is a 4xx in the error shape, and nothing in D1 changes.
// A POST/PATCH/PUT route that declares neither `validate('json', …)` nor `noBody` fails here.
import { createExecutionContext, env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/app';
import { bodyContracts } from '../../../src/lib/validate';
import { api, BASE, createCategory, createProduct, json, newIdempotencyKey, placeOrder, shopperWithAddress, tokenFor } from '../../fixtures/helpers';

/** Routes that read their body themselves: WeChat Pay's signed callbacks, 快递100's form pushes and the admin page's HTML forms. */
const OWN_BODY_FORMAT = [/^\/payments\/wechat\//, /^\/tracking\/kuaidi100\//, /^\/admin(?!\/api\/)/];

type BodyRoute = { method: string; path: string; contract: 'json' | 'none' };

function bodyRoutes(app: ReturnType<typeof createApp>) {
  const routes = new Map<string, { method: string; path: string; contracts: Set<'json' | 'none'> }>();
  for (const r of app.routes) {
    if (!['POST', 'PATCH', 'PUT'].includes(r.method)) continue;
    const key = `${r.method} ${r.path}`;
    const entry = routes.get(key) ?? { method: r.method, path: r.path, contracts: new Set() };
    const contract = bodyContracts.get(r.handler);
    if (contract) entry.contracts.add(contract);
    routes.set(key, entry);
  }
  return [...routes.values()];
}

let app: ReturnType<typeof createApp>;
let owner: string;
let shopper: string;
/** Real ids by prefix, so a bad body is sent to a resource that exists (a route that ignored it would act). */
const known: Record<string, string> = {};

beforeAll(async () => {
  app = createApp();
  owner = (await tokenFor('owner')).token;
  known.cat = await createCategory(owner, '坏请求');
  const product = await createProduct(owner, known.cat);
  known.prd = product.id;
  known.sku = product.skus[1].id;
  const buyer = await shopperWithAddress();
  shopper = buyer.token;
  known.adr = (await json(api('GET', '/me/addresses', { token: shopper }))).items[0].id;
  known.ord = (await json(placeOrder(shopper, { items: [{ sku_id: known.sku, quantity: 1 }] }))).id;
  const cart = await json(api('POST', '/cart/items', { token: shopper, body: { sku_id: known.sku, quantity: 1 } }));
  known.crt = cart.items[0].id;
  known.acc = (await json(api('GET', '/admin/api/accounts', { token: owner }))).items[0].id;
});

function send(route: { method: string; path: string }, path: string, body: BodyInit | undefined, contentType: string | undefined) {
  const headers: Record<string, string> = { 'Idempotency-Key': newIdempotencyKey() };
  const token = route.path.startsWith('/admin/api') ? owner : shopper;
  if (route.path !== '/admin/api/login') headers.Authorization = `Bearer ${token}`;
  if (contentType) headers['Content-Type'] = contentType;
  return app.request(`${BASE}${path}`, { method: route.method, headers, body }, env, createExecutionContext());
}

/** The route's path with each parameter filled in with an id of the prefix its validator asks for. */
async function concretePath(route: { method: string; path: string }): Promise<string> {
  let path = route.path;
  for (let attempt = 0; attempt < 4 && path.includes(':'); attempt++) {
    const probe = await send(route, path.replace(/:(\w+)/g, 'x'), '{}', 'application/json');
    const details: { path: string; message: string }[] = (await probe.json<any>()).error?.details ?? [];
    for (const d of details) {
      const prefix = /must be a (\w+)_ id/.exec(d.message)?.[1];
      if (d.path.startsWith('param.') && prefix) path = path.replace(`:${d.path.slice(6)}`, known[prefix] ?? `${prefix}_fuzz000000000000`);
    }
  }
  expect(path, `${route.method} ${route.path}: every parameter resolved`).not.toContain(':');
  return path;
}

const JSON_VALUES_NOT_OBJECTS = ['[]', '[{"sku_id":"sku_x","quantity":1}]', '1', '"text"', 'null', 'true'];
const OBJECT = JSON.stringify({ items: [{ sku_id: 'sku_seed_0172_04', quantity: 1 }], note: 'x' });
const noContentType = (text: string) => new TextEncoder().encode(text); // fetch adds no Content-Type to bytes

function badBodies(contract: 'json' | 'none'): { label: string; body: BodyInit | undefined; type?: string; status: number; path: string }[] {
  return [
    ...JSON_VALUES_NOT_OBJECTS.map((b) => ({ label: `JSON ${b}`, body: b, type: 'application/json', status: 400, path: 'body' })),
    { label: 'JSON with a charset', body: '[]', type: 'application/json; charset=utf-8', status: 400, path: 'body' },
    { label: 'text/plain', body: OBJECT, type: 'text/plain', status: 415, path: 'header.content-type' },
    { label: 'no Content-Type', body: noContentType(OBJECT), status: 415, path: 'header.content-type' },
    { label: 'form-urlencoded', body: 'note=x&items=1', type: 'application/x-www-form-urlencoded', status: 415, path: 'header.content-type' },
    { label: 'malformed JSON', body: '{"note":', type: 'application/json', status: 400, path: 'body' },
    ...(contract === 'json'
      ? [
          { label: 'empty, as JSON', body: '', type: 'application/json', status: 400, path: 'body' },
          { label: 'empty, no Content-Type', body: undefined, status: 400, path: 'body' },
        ]
      : [{ label: 'a field where none is taken', body: '{"reason":"x"}', type: 'application/json', status: 400, path: 'body.reason' }]),
  ];
}

/** Every row of every table: "nothing written" compares two of these. */
async function everyRow() {
  const tables = (await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name NOT LIKE '%fts%'").all<{ name: string }>())
    .results;
  const rows: Record<string, unknown[]> = {};
  for (const { name } of tables) rows[name] = (await env.DB.prepare(`SELECT * FROM "${name}"`).all()).results;
  return rows;
}

describe('bad bodies on every route that takes one', () => {
  it('every POST, PATCH and PUT route declares its body: a JSON object, or none', () => {
    const routes = bodyRoutes(createApp());
    const undeclared = routes.filter((r) => r.contracts.size === 0 && !OWN_BODY_FORMAT.some((p) => p.test(r.path))).map((r) => `${r.method} ${r.path}`);
    expect(undeclared).toEqual([]);
    expect(routes.filter((r) => r.contracts.size > 1)).toEqual([]);
    expect(routes.length).toBeGreaterThan(40);
  });

  it('arrays, scalars, null, wrong content types and empty bodies: a 4xx naming the body, nothing written', async () => {
    const routes: BodyRoute[] = bodyRoutes(app).flatMap((r) => (r.contracts.size ? [{ method: r.method, path: r.path, contract: [...r.contracts][0]! }] : []));
    const paths = new Map<string, string>();
    for (const r of routes) paths.set(`${r.method} ${r.path}`, await concretePath(r));
    const before = await everyRow();
    const wrong: string[] = [];
    let sent = 0;
    for (const r of routes) {
      for (const bad of badBodies(r.contract)) {
        const res = await send(r, paths.get(`${r.method} ${r.path}`)!, bad.body, bad.type);
        const body = await res.json<any>().catch(() => null);
        sent++;
        const shaped = typeof body?.error?.code === 'string' && typeof body.error.message === 'string' && Array.isArray(body.error.details);
        const named = shaped && body.error.details.some((d: { path: string }) => d.path === bad.path);
        if (res.status !== bad.status || !named) wrong.push(`${r.method} ${r.path} ${bad.label}: ${res.status} ${JSON.stringify(body)}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(sent).toBeGreaterThan(400);
    expect(await everyRow()).toEqual(before);
  }, 120_000);

  it('the requests of the report: an array or text/plain body never creates, cancels, approves or quotes', async () => {
    for (const [method, path] of [
      ['POST', '/orders'],
      ['POST', '/checkout/quote'],
      ['POST', `/orders/${known.ord}/cancel`],
    ] as const) {
      const asArray = await send({ method, path }, path, '[]', 'application/json');
      expect(asArray.status, path).toBe(400);
      const asText = await send({ method, path }, path, OBJECT, 'text/plain');
      expect(asText.status, path).toBe(415);
      expect((await asText.json<any>()).error.code).toBe('unsupported_media_type');
    }
    expect((await json(api('GET', `/orders/${known.ord}`, { token: shopper }))).status).toBe('pending_payment');
    const approve = await send({ method: 'POST', path: '/admin/api/orders/:id/refund/approve' }, `/admin/api/orders/${known.ord}/refund/approve`, '[]', 'application/json');
    expect(approve.status).toBe(400);
    expect((await json(api('GET', '/cart', { token: shopper }))).items).toHaveLength(1);
  });

  it('a route without a body takes an empty one, with or without a Content-Type, or {}', async () => {
    const route = { method: 'POST', path: '/admin/api/products/:id/publish' };
    for (const [body, type] of [
      [undefined, undefined],
      ['', 'application/json'],
      ['{}', 'application/json'],
      [' ', 'text/plain'],
    ] as const) {
      const res = await send(route, `/admin/api/products/${known.prd}/publish`, body, type);
      expect(res.status, `${JSON.stringify(body)} ${type}`).toBe(200);
    }
  });
});
