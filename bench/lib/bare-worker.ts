// Starts bench/workers/bare-hono.ts on its own workerd (through Miniflare, with the app's
// compatibility settings), on a direct socket like the app's, so the two are loaded the same way.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { compatibilitySettings } from '../../scripts/local-worker';

const root = new URL('../..', import.meta.url).pathname;

export type BareWorker = { directUrl: string; dispose: () => Promise<void> };

export async function startBareWorker(): Promise<BareWorker> {
  const outdir = mkdtempSync(join(tmpdir(), 'bare-hono-'));
  await build({ entryPoints: [join(root, 'bench/workers/bare-hono.ts')], bundle: true, format: 'esm', platform: 'neutral', outfile: join(outdir, 'index.js'), logLevel: 'silent' });
  const mf = new Miniflare({
    modules: [{ type: 'ESModule', path: join(outdir, 'index.js') }],
    modulesRoot: outdir,
    ...compatibilitySettings(),
    host: '127.0.0.1',
    port: 0,
    unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
  });
  await mf.ready;
  const directUrl = (await mf.unsafeGetDirectURL()).toString().replace(/\/$/, '');
  return { directUrl, dispose: () => mf.dispose() };
}
