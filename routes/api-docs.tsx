// GET /openapi.json (the OpenAPI 3.1 document, generated from the request schemas) and GET /docs (a
// reference page rendered on the server from the same document: no scripts, no CDN, one inline
// style allowed by its hash).
import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import type { FC } from 'hono/jsx';
import type { AppEnv } from '../src/env';
import type { ApiDocument } from '../src/lib/openapi';

type Schema = Record<string, unknown>;
type Parameter = { name: string; in: string; required?: boolean; description?: string; schema?: Schema; $ref?: string };
type Operation = {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { description?: string }>;
};

const methods = ['get', 'post', 'put', 'patch', 'delete'] as const;

// No quotes, ampersands or angle brackets: hono/jsx would escape them and the hash would not match.
const styles = `
body{font:14px/1.5 system-ui,PingFang SC,Noto Sans CJK SC,sans-serif;margin:0 auto;max-width:1100px;padding:0 24px 48px;color:#222}
h1{font-size:22px}h2{font-size:17px;margin-top:32px;border-bottom:1px solid #e5e7eb}h3{font-size:14px;margin:0}
section.op{border:1px solid #e5e7eb;border-radius:6px;padding:10px 14px;margin:12px 0}
.method{display:inline-block;min-width:58px;font-weight:700;text-transform:uppercase}.get{color:#15803d}.post{color:#1d4ed8}.patch{color:#a16207}.delete{color:#b91c1c}
code,pre{font:12px/1.45 ui-monospace,monospace}pre{background:#f8fafc;padding:8px;overflow:auto;margin:4px 0}
table{border-collapse:collapse;margin:6px 0}td,th{border-bottom:1px solid #e5e7eb;padding:3px 10px 3px 0;text-align:left;vertical-align:top}
.muted{color:#6b7280}nav a{margin-right:10px}
`;

let styleHash: Promise<string> | undefined;
const sha256Base64 = async (text: string) => btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))));

const json = (value: unknown) => JSON.stringify(value, null, 2);

const OperationView: FC<{ path: string; method: string; op: Operation }> = ({ path, method, op }) => {
  const body = Object.entries(op.requestBody?.content ?? {});
  return (
    <section class="op" id={`${method}-${path}`}>
      <h3>
        <span class={`method ${method}`}>{method}</span> <code>{path}</code>
      </h3>
      {op.summary && <p>{op.summary}</p>}
      {op.parameters && op.parameters.length > 0 && (
        <table>
          <tr>
            <th>parameter</th>
            <th>in</th>
            <th>required</th>
            <th>schema</th>
          </tr>
          {op.parameters.map((p) => (
            <tr>
              <td>
                <code>{p.name ?? p.$ref}</code>
              </td>
              <td>{p.in}</td>
              <td>{p.required ? 'yes' : 'no'}</td>
              <td>
                <code>{JSON.stringify(p.schema ?? {})}</code>
              </td>
            </tr>
          ))}
        </table>
      )}
      {body.map(([media, content]) => (
        <div>
          <span class="muted">body ({media}):</span>
          <pre>{json(content.schema ?? {})}</pre>
        </div>
      ))}
      <p class="muted">
        responses:{' '}
        {Object.entries(op.responses ?? {})
          .map(([status, r]) => `${status}${r.description ? ` ${r.description}` : ''}`)
          .join(' · ')}
      </p>
    </section>
  );
};

const ReferencePage: FC<{ doc: ApiDocument }> = ({ doc }) => {
  const byTag = new Map<string, { path: string; method: string; op: Operation }[]>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of methods) {
      const op = (item as Record<string, Operation | undefined>)[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? 'other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), { path, method, op }]);
    }
  }
  const tags = [...byTag.keys()].sort();
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{doc.info.title} reference</title>
        <style>{styles}</style>
      </head>
      <body>
        <h1>{doc.info.title} reference</h1>
        <p class="muted">
          {doc.info.description} The machine-readable document: <a href="/openapi.json">/openapi.json</a> (OpenAPI {doc.openapi}).
        </p>
        <nav>
          {tags.map((tag) => (
            <a href={`#tag-${tag}`}>{tag}</a>
          ))}
        </nav>
        {tags.map((tag) => (
          <div>
            <h2 id={`tag-${tag}`}>{tag}</h2>
            {byTag.get(tag)!.map((entry) => (
              <OperationView {...entry} />
            ))}
          </div>
        ))}
        <h2 id="schemas">schemas</h2>
        {Object.entries(doc.components?.schemas ?? {}).map(([name, schema]) => (
          <section class="op" id={`schema-${name}`}>
            <h3>
              <code>{name}</code>
            </h3>
            <pre>{json(schema)}</pre>
          </section>
        ))}
      </body>
    </html>
  );
};

/** The two routes; `documentOf` builds (once) the document of the whole app they are mounted in. */
export const apiDocsRoutes = (documentOf: () => Promise<ApiDocument>) =>
  new Hono<AppEnv>()
    .get('/openapi.json', describeRoute({ summary: 'This document (OpenAPI 3.1).', tags: ['docs'] }), async (c) => c.json(await documentOf()))
    .get('/docs', describeRoute({ summary: 'The API reference page, rendered from /openapi.json.', tags: ['docs'] }), async (c) => {
      const doc = await documentOf();
      styleHash ??= sha256Base64(styles);
      c.header('Content-Security-Policy', `default-src 'none'; style-src 'sha256-${await styleHash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`);
      return c.html(<ReferencePage doc={doc} />);
    });
