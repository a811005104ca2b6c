// GET /openapi.json is generated from the valibot schemas that validate the requests; every route
// of the app is in it, and GET /docs renders it without scripts or a CDN.
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../../src/app';
import { bodyContracts } from '../../../src/lib/validate';
import { BASE } from '../../fixtures/helpers';

type Operation = {
  parameters?: { name: string; in: string; required?: boolean; schema?: Record<string, unknown> }[];
  requestBody?: { content?: Record<string, { schema?: Record<string, unknown> }> };
  responses: Record<string, unknown>;
  tags?: string[];
};
type Document = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

const documentOf = async () => (await (await SELF.fetch(`${BASE}/openapi.json`)).json()) as Document;

/** Hono's "/products/:id" and "/products/:id/:action{publish|unpublish}" as OpenAPI writes them. */
const openApiPath = (path: string) => path.replace(/:([A-Za-z_]+)(\{[^}]*\})?/g, '{$1}');

/** Every method + path the app routes (app.use middleware is registered as ALL and is not a route). */
function appRoutes() {
  const seen = new Set<string>();
  for (const r of createApp().routes) if (r.method !== 'ALL') seen.add(`${r.method} ${r.path}`);
  return [...seen].map((key) => {
    const [method, path] = key.split(' ') as [string, string];
    return { method: method.toLowerCase(), path: openApiPath(path) };
  });
}

// POST/PATCH routes that read no JSON body: those that say so with noBody (actions named by the
// path alone), and WeChat Pay's notifications, whose raw body is verified against its signature
// before it is parsed.
const bodyless = new Set([
  ...createApp()
    .routes.filter((r) => bodyContracts.get(r.handler) === 'none')
    .map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path)}`),
  'post /payments/wechat/notify',
  'post /payments/wechat/refund-notify',
]);

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 and has every route of the app, with its method', async () => {
    const doc = await documentOf();
    expect(doc.openapi).toBe('3.1.0');
    const routes = appRoutes();
    expect(routes.length).toBeGreaterThan(100);
    const missing = routes.filter((r) => !doc.paths[r.path]?.[r.method]).map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
    for (const path of ['/openapi.json', '/docs', '/healthz', '/search', '/admin/api/login']) expect(doc.paths[path]?.get ?? doc.paths[path]?.post, path).toBeDefined();
  });

  it('every JSON API POST and PATCH that reads a body documents its schema', async () => {
    const doc = await documentOf();
    const withoutBody: string[] = [];
    for (const { method, path } of appRoutes()) {
      if (method !== 'post' && method !== 'patch') continue;
      if (path.startsWith('/admin/') && !path.startsWith('/admin/api/')) continue; // the admin page's forms (HTML)
      if (path.startsWith('/tracking/kuaidi100/')) continue; // 快递100's pushes are forms (param + sign), in its format
      const key = `${method} ${path}`;
      const schema = doc.paths[path]![method]!.requestBody?.content?.['application/json']?.schema;
      if (bodyless.has(key)) expect(schema, `${key} is listed as reading no body`).toBeUndefined();
      else if (!schema || Object.keys(schema).length === 0) withoutBody.push(key);
    }
    expect(withoutBody).toEqual([]);
  });

  it('carries the schemas themselves: body fields, query and path parameters, headers, and the 429 of limited routes', async () => {
    const doc = await documentOf();
    const reserve = doc.paths['/flash-sales/{id}/reserve']!.post!;
    expect(reserve.requestBody!.content!['application/json']!.schema).toMatchObject({
      type: 'object',
      required: ['sku_id'],
      properties: { sku_id: { type: 'string', pattern: '^sku_[0-9a-z_]{1,60}$' }, quantity: { type: 'integer', minimum: 1, maximum: 99 } },
    });
    expect(reserve.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ in: 'path', name: 'id', required: true, schema: expect.objectContaining({ pattern: '^fls_[0-9a-z_]{1,60}$' }) }),
        expect.objectContaining({ in: 'header', name: 'idempotency-key', required: true }),
      ]),
    );
    expect(Object.keys(reserve.responses)).toEqual(expect.arrayContaining(['400', '429']));

    const search = doc.paths['/search']!.get!;
    // What the client sends: query values are strings (the schema turns them into numbers afterwards).
    expect(search.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ in: 'query', name: 'q', required: true }),
        expect.objectContaining({ in: 'query', name: 'limit', schema: expect.objectContaining({ type: 'string' }) }),
      ]),
    );
    expect(search.responses['429']).toBeDefined();
    expect(doc.paths['/products']!.get!.responses['429']).toBeUndefined();
    expect(doc.paths['/products']!.get!.tags).toEqual(['products']);
    expect(doc.components.schemas.Error).toBeDefined();
  });
});

describe('API reference page', () => {
  it('renders every operation from the same document, with no script, no external resource and a strict CSP', async () => {
    const doc = await documentOf();
    const res = await SELF.fetch(`${BASE}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toContain('text/html');
    const html = await res.text();

    const operations = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method}-${path}`));
    for (const id of operations) expect(html, id).toContain(`id="${id}"`);
    expect(html.match(/<section class="op" id="(get|post|put|patch|delete)-/g)!.length).toBe(operations.length);
    // The reserve body's schema is on the page.
    expect(html).toContain('^sku_[0-9a-z_]{1,60}$');

    expect(html).not.toMatch(/<script|<link|<img|<iframe|src=|https?:\/\/(?!shop\.test)/i);
    const csp = res.headers.get('Content-Security-Policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    // The one inline style is allowed by its hash, and the hash is the hash of the style on the page.
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(style)));
    expect(csp).toContain(`style-src 'sha256-${btoa(String.fromCharCode(...digest))}'`);
  });
});
