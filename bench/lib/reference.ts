// The reference design for bench:flash (bench/reference/flash-server.ts): Debian's redis-server
// (AOF, fsync every second) in a temporary directory and the node:http server in front of it,
// both started here and stopped by dispose(). Needs `apt-get install redis-server`.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';

export type Reference = { url: string; saleId: string; stockLeft: () => Promise<number>; queuedOrders: () => Promise<number>; dispose: () => Promise<void> };

const root = new URL('../..', import.meta.url).pathname;

export function requireRedis(): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile('redis-server', ['--version'], (error) => (error ? reject(new Error('redis-server is not installed: sudo apt-get install redis-server')) : resolve())),
  );
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs = 20_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      const match = pattern.exec(chunk.toString());
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before ${pattern}`)));
  });
}

/** Starts Redis and the reference server with a sale of `stock` units open now; buyers' tokens are HS256 under `jwtSecret`. */
export async function startReference(opts: { stock: number; jwtSecret: string }): Promise<Reference> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-redis-'));
  const redisPort = await freePort();
  const redisServer = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await waitForLine(redisServer, /Ready to accept connections/);
  const redis = new Redis({ port: redisPort, host: '127.0.0.1' });
  const saleId = `fls_reference${Date.now()}`;
  const now = Date.now();
  await redis.set(`sale:${saleId}:stock`, opts.stock);
  await redis.hset(`sale:${saleId}:window`, 'starts_at', now - 1_000, 'ends_at', now + 3_600_000);
  // Node itself (not through npx), so that SIGTERM reaches the server and not a wrapper.
  const server = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench/reference/flash-server.ts')], {
    env: { ...process.env, REDIS_PORT: String(redisPort), PORT: '0', JWT_SECRET: opts.jwtSecret, SALE_ID: saleId },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [, port] = await waitForLine(server, /listening (\d+)/);
  return {
    url: `http://127.0.0.1:${port}`,
    saleId,
    stockLeft: async () => Number(await redis.get(`sale:${saleId}:stock`)),
    queuedOrders: () => redis.xlen(`sale:${saleId}:orders`),
    dispose: async () => {
      server.kill('SIGTERM');
      await new Promise((resolve) => server.once('exit', resolve));
      await redis.quit();
      redisServer.kill('SIGTERM');
      await new Promise((resolve) => redisServer.once('exit', resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
