// The reference design shops' teams pick for a 秒杀 instead of an edge: one node:http process,
// the shopper's JWT (HS256) checked with jose, and one Redis 7 Lua script doing the whole
// contract atomically — sale window, per-user limit, stock, the reservation record with its
// expiry, and the order queued on a stream for a worker to write. AOF with fsync every second.
// An in-process sold-out flag refuses later buyers without a Redis round trip, as such teams do.
//
// Started by bench/flash.ts (not by hand): REDIS_PORT, PORT, JWT_SECRET (base64url) and SALE_ID
// come from the environment; it prints "listening <port>" when ready.
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { jwtVerify } from 'jose';

const redis = new Redis({ port: Number(process.env.REDIS_PORT), host: '127.0.0.1', enableAutoPipelining: true });
const secret = Buffer.from(process.env.JWT_SECRET!, 'base64url');
const saleId = process.env.SALE_ID!;

// KEYS: stock, buyers (set), holds (zset by expiry), orders (stream), window (hash)
// ARGV: user, quantity, per-user limit, now ms, hold ms, reservation id
const reserveScript = `
local window = redis.call('HMGET', KEYS[5], 'starts_at', 'ends_at')
local now = tonumber(ARGV[4])
if now < tonumber(window[1]) then return {'not_started'} end
if now >= tonumber(window[2]) then return {'ended'} end
local held = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
local quantity = tonumber(ARGV[2])
if held + quantity > tonumber(ARGV[3]) then return {'per_user_limit'} end
local stock = tonumber(redis.call('GET', KEYS[1]) or '0')
if stock < quantity then return {'sold_out'} end
redis.call('DECRBY', KEYS[1], quantity)
redis.call('HINCRBY', KEYS[2], ARGV[1], quantity)
local expires = now + tonumber(ARGV[5])
redis.call('ZADD', KEYS[3], expires, ARGV[6])
redis.call('XADD', KEYS[4], '*', 'reservation', ARGV[6], 'user', ARGV[1], 'quantity', quantity, 'expires_at', expires)
return {'ok', tostring(expires)}
`;
redis.defineCommand('reserve', { numberOfKeys: 5, lua: reserveScript });

const keys = [`sale:${saleId}:stock`, `sale:${saleId}:buyers`, `sale:${saleId}:holds`, `sale:${saleId}:orders`, `sale:${saleId}:window`];
let soldOutUntil = 0;
const HOLD_MS = 15 * 60_000;

const send = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};
const refusal = (code: string) => ({ error: { code, message: code } });

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', async () => {
    try {
      if (req.method !== 'POST' || req.url !== `/flash-sales/${saleId}/reserve`) return send(res, 404, refusal('not_found'));
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!token) return send(res, 401, refusal('unauthorized'));
      const { payload } = await jwtVerify(token, secret, { audience: 'shopper' }).catch(() => ({ payload: null }) as { payload: null });
      if (!payload?.sub) return send(res, 401, refusal('unauthorized'));
      const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { quantity?: number };
      const quantity = body.quantity ?? 1;
      const now = Date.now();
      if (soldOutUntil > now) return send(res, 409, refusal('sold_out'));
      const reservationId = `rsv_${randomUUID()}`;
      const [outcome, expires] = (await (redis as unknown as { reserve: (...a: unknown[]) => Promise<string[]> }).reserve(...keys, payload.sub, quantity, 1, now, HOLD_MS, reservationId)) as [
        string,
        string?,
      ];
      if (outcome === 'ok') return send(res, 201, { reservation_id: reservationId, status: 'pending_payment', payment_deadline: new Date(Number(expires)).toISOString() });
      if (outcome === 'sold_out') soldOutUntil = now + 1_000;
      return send(res, outcome === 'sold_out' ? 409 : 422, refusal(outcome));
    } catch (error) {
      send(res, 500, refusal(String(error)));
    }
  });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : ''}`);
});
process.on('SIGTERM', () => {
  server.close();
  void redis.quit().finally(() => process.exit(0));
});
