// Group buys on local workerd, driven by wrk (bench/lib/wrk-posts.ts, the load generator of
// bench:flash and bench:profile): many 5-person rooms filled at once. Each round, leaders open
// BENCH_ROOMS rooms (set-up, not measured); then the bare routes are driven for a few seconds
// (GET /healthz/live, no I/O; GET /healthz, one D1 read); then BENCH_JOINERS new shoppers per room
// try to join (4 get a seat, the rest a 409 room_full before any order), each join sent once;
// then a late crowd tries the full rooms (every one refused, from the isolate's memory after the
// first per room). All over the same BENCH_CONNECTIONS keep-alive connections.
//
//   npm run bench:group                               200 rooms × 8 joiners, 2 rounds, 100 connections
//   BENCH_ROOMS=400 BENCH_JOINERS=10 BENCH_ROUNDS=3 BENCH_CONNECTIONS=200 npm run bench:group
//
// Until the fifth pass of issue 12 this bench drove the worker with Node's fetch, whose own cost
// on the shared two cores capped every figure near 2,000 answers/s (README, Benchmarks).
//
// Joining never calls WeChat Pay (paying is POST /orders/:id/pay, measured by bench:checkout),
// so no fake WeChat runs here; shoppers and their addresses are written to D1 and their tokens
// signed with the worker's key, as /auth/wechat would.
//
// A benchmark, not a test: it exits non-zero when something cannot start, an answer is not one
// the API promises (201 or 409 room_full), or a consistency check fails — never for a low figure.
// Joins that got no answer (a reset connection: README, Known issues) are counted and printed.
import type { LocalWorker } from '../scripts/local-worker';
import { Crowd, seedBuyers, signInMerchant, type Buyer } from './lib/accounts';
import { query } from './lib/d1';
import { seedShop } from './lib/flash-sales';
import { createGroupBuy, openRooms } from './lib/group-buys';
import { withLocalWorker } from './lib/harness';
import { coreCount, loadAverage, machineLine, miniflareVersion } from './lib/machine';
import { positiveNumber } from './lib/settings';
import { roundTable } from './lib/round-table';
import { requireWrk, runWrk, type WrkMeasurement } from './lib/wrk';
import { burstPosts, type PostBurst, type PostRequest } from './lib/wrk-posts';

process.env.WRANGLER_SEND_METRICS = 'false';

const roomCount = Math.ceil(positiveNumber('BENCH_ROOMS', 200));
const joinersPerRoom = Math.ceil(positiveNumber('BENCH_JOINERS', 8));
const rounds = Math.ceil(positiveNumber('BENCH_ROUNDS', 2));
const connections = Math.ceil(positiveNumber('BENCH_CONNECTIONS', 100));
/** Each late shopper tries this many of the full rooms, so the refusal burst lasts long enough to measure. */
const LATE_TRIES = 4;
const BASELINE_SECONDS = 5;
const GROUP_SIZE = 5;
const BENCH_STOCK = 1_000_000;
const JWT_KID = 'bench';
const JWT_KEYS = JSON.stringify({ [JWT_KID]: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url') });
const MERCHANT = { username: 'bench_owner', password: `bench-${crypto.randomUUID()}` };

type Round = { label: string; rooms: string[]; live: WrkMeasurement; healthz: WrkMeasurement; joins: PostBurst; refused: PostBurst };
type Check = { name: string; ok: boolean; detail: string };

const joinPosts = (label: string, rooms: string[], skuId: string, who: Buyer[], perRoom: number): PostRequest[] =>
  who.map((b, i) => ({
    path: `/group-buys/rooms/${rooms[Math.floor(i / perRoom) % rooms.length]}/join`,
    token: b.token,
    idempotencyKey: `bench-${label.replace(/\W+/g, '-')}-${i}`,
    body: JSON.stringify({ sku_id: skuId }),
  }));

async function round(worker: LocalWorker, label: string, campaignId: string, skuId: string, crowd: Crowd): Promise<Round> {
  const rooms = await openRooms(worker, campaignId, skuId, crowd.take(roomCount));
  const base = (path: string) => runWrk(worker.directUrl, [path], { connections, threads: 2, durationSeconds: BASELINE_SECONDS });
  const live = await base('/healthz/live');
  const healthz = await base('/healthz');
  // A room's joiners are next to each other in the list, so they race for its seats together.
  const joins = await burstPosts(worker.directUrl, joinPosts(`${label}-join`, rooms, skuId, crowd.take(roomCount * joinersPerRoom), joinersPerRoom), connections);
  // The late crowd: each shopper tries LATE_TRIES different full rooms.
  const late = crowd.take(roomCount * joinersPerRoom);
  const latePosts = Array.from({ length: LATE_TRIES }, (_, t) =>
    joinPosts(
      `${label}-late${t}`,
      rooms.map((_, r) => rooms[(r + t * Math.ceil(roomCount / LATE_TRIES)) % roomCount]!),
      skuId,
      late,
      joinersPerRoom,
    ),
  ).flat();
  const refused = await burstPosts(worker.directUrl, latePosts, connections);
  return { label, rooms, live, healthz, joins, refused };
}

function printResults(results: Round[]) {
  const table = roundTable(
    results.map((r) => ({
      ...r,
      bursts: [
        { name: `join (${roomCount} rooms × ${joinersPerRoom})`, requests: roomCount * joinersPerRoom, burst: r.joins },
        { name: `join full rooms (× ${LATE_TRIES} each)`, requests: roomCount * joinersPerRoom * LATE_TRIES, burst: r.refused },
      ],
    })),
  );
  console.log(`\n${table}\n`);
  console.log(`  wrk, ${connections} connections, 2 threads; baselines for ${BASELINE_SECONDS} s each; each join sent once; answers/s = answers ÷ (first request to last answer)`);
  console.log('  a 201 is a seat held and its order queued (D1 writes it after the answer); a 409 room_full is refused before any order');
  console.log(`  load average at end: ${loadAverage()}\n`);
  for (const r of results) {
    const seatsPerSecond = r.joins.created / r.joins.seconds;
    console.log(
      `${r.label}: ${seatsPerSecond.toFixed(0)} seats/s (target 1,000), ${r.joins.requestsPerSecond.toFixed(0)} join attempts/s = ${(r.joins.requestsPerSecond / r.live.requestsPerSecond).toFixed(2)}× /healthz/live`,
    );
    console.log(`${r.label}: full-room refusals ${r.refused.requestsPerSecond.toFixed(0)}/s = ${(r.refused.requestsPerSecond / r.live.requestsPerSecond).toFixed(2)}× /healthz/live (target 0.8×)`);
  }
}

async function consistencyChecks(worker: LocalWorker, merchant: string, skuId: string, results: Round[]): Promise<Check[]> {
  const rooms = results.flatMap((r) => r.rooms);
  const seatsExpected = rooms.length * GROUP_SIZE;
  const bursts = results.flatMap((r) => [r.joins, r.refused]);
  const lateSeats = results.reduce((n, r) => n + r.refused.created, 0);
  const unexpected = bursts.reduce((n, b) => n + [...b.refusals].filter(([kind]) => kind !== '409 room_full').reduce((m, [, c]) => m + c, 0), 0);
  const unanswered = bursts.reduce((n, b) => n + b.unanswered, 0);
  // Joiners' orders follow through the work queue: wait (up to 30 s) for them to be written.
  const countOrders = async () => (await query<{ n: number }>(worker, "SELECT count(*) AS n FROM orders WHERE source = 'group_buy'"))[0]!.n;
  const waitStarted = performance.now();
  let orders = await countOrders();
  while (orders < seatsExpected && performance.now() - waitStarted < 30_000) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    orders = await countOrders();
  }
  console.log(`  the queue had written every seat order ${((performance.now() - waitStarted) / 1000).toFixed(1)} s after the last join's answer`);
  const members = (await query<{ n: number }>(worker, 'SELECT count(*) AS n FROM group_buy_members'))[0]!.n;
  const sold = BENCH_STOCK - (await query<{ stock: number }>(worker, 'SELECT stock FROM skus WHERE id = ?', skuId))[0]!.stock;
  const refusedWithOrder = (
    await query<{ n: number }>(
      worker,
      "SELECT count(*) AS n FROM users u WHERE u.id LIKE 'usr_bench%' AND NOT EXISTS (SELECT 1 FROM group_buy_members m WHERE m.user_id = u.id) AND EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id)",
    )
  )[0]!.n;
  let fullRooms = 0;
  let drift = 0;
  for (const roomId of rooms) {
    const res = await fetch(`${worker.directUrl}/admin/api/group-buys/rooms/${roomId}`, { headers: { authorization: `Bearer ${merchant}` } });
    const room = (await res.json()) as { held_count: number; paid_count: number; drift: unknown[] };
    if (room.held_count + room.paid_count === GROUP_SIZE) fullRooms++;
    drift += room.drift.length;
  }
  const seats = results.reduce((n, r) => n + r.joins.created, 0);
  return [
    { name: 'every answer is 201 or 409 room_full', ok: unexpected === 0, detail: `${seats} seats answered, ${unexpected} other answers, ${unanswered} joins unanswered (reset connections)` },
    { name: 'no seat for a join to a full room', ok: lateSeats === 0, detail: `${lateSeats}` },
    { name: 'every room has exactly 5 seats', ok: fullRooms === rooms.length, detail: `${fullRooms}/${rooms.length} rooms full` },
    {
      name: 'orders = members = seats = units the rooms took',
      ok: orders === seatsExpected && members === seatsExpected && sold === seatsExpected,
      detail: `${orders} orders, ${members} members, ${sold} units, ${seatsExpected} seats`,
    },
    { name: 'no order for a refused joiner', ok: refusedWithOrder === 0, detail: `${refusedWithOrder}` },
    { name: 'each room object agrees with D1 (reconciliation)', ok: drift === 0, detail: `${drift} differences over ${rooms.length} rooms` },
  ];
}

async function main() {
  await requireWrk();
  await withLocalWorker({ bindings: { JWT_KEYS, JWT_ACTIVE_KID: JWT_KID }, fakeWeChat: false }, async (worker) => {
    const [skuId] = await seedShop(worker, 1, BENCH_STOCK);
    const merchant = await signInMerchant(worker, MERCHANT);
    const perRound = roomCount * (1 + 2 * joinersPerRoom);
    const crowd = new Crowd(await seedBuyers(worker, perRound * (rounds + 1), { keys: JWT_KEYS, kid: JWT_KID }));
    const campaignId = await createGroupBuy(worker, merchant, skuId!, GROUP_SIZE);
    console.log(`
Machine:    ${machineLine()}
Worker:     production bundle on workerd via Miniflare ${miniflareVersion()}, in-memory D1 and SQLite-backed Durable Objects, the work queue on Miniflare's local Queues
Parameters: a warm-up round (not reported), then ${rounds} round(s) of ${roomCount} rooms × ${joinersPerRoom} joiners, group size ${GROUP_SIZE}, one campaign;
            per round GET /healthz/live and GET /healthz (${BASELINE_SECONDS} s each), the joins, then ${LATE_TRIES} × as many joins to the full rooms
Note:       wrk and workerd share the same ${coreCount()} cores: figures are for comparison within this run, not capacity.
`);
    const results: Round[] = [];
    const warmUp = await round(worker, 'warm-up', campaignId, skuId!, crowd);
    console.log(`  warm-up done (${warmUp.joins.created} seats)`);
    for (let r = 1; r <= rounds; r++) results.push(await round(worker, `round ${r}`, campaignId, skuId!, crowd));
    printResults(results);
    const checks = await consistencyChecks(worker, merchant, skuId!, [warmUp, ...results]);
    console.log('Consistency (every room, warm-up included):');
    for (const c of checks) console.log(`  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}`);
    if (checks.some((c) => !c.ok)) process.exitCode = 1;
  });
}

main().catch((error) => {
  console.error('bench:group failed:', error);
  process.exitCode = 1;
});
