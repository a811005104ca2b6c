// Where a request's CPU goes: CPU profiles of the local worker's isolate (worker, Durable Objects
// and the work queue's consumer) while wrk drives (1) the bare route `GET /healthz/live`, a
// cached storefront list (`GET /products?limit=20`, a hit in the isolate's memory), (2)
// sold-out refusals of a flash sale (`POST /flash-sales/:id/reserve`, refused from isolate
// memory), (3) reservations that all win (every buyer once, stock for all; the consumer writes
// their orders meanwhile, as in a real burst) and (4) group-buy joins that all get a seat (rooms
// of 5, four joiners each; their orders queued and written meanwhile), (5) joins to those rooms
// once full (refused from memory, renewed by one call per room a second), (6) bargain helps that
// all cut (every helper new to the shop, ten per session) and (7) the same helps again (refused
// from memory: already helped), then self time per
// request by bundled module and by function. Issue 12 asks what a refusal costs beyond the bare
// route, and what the bare route costs beyond a bare Hono worker (bench/workers/bare-hono.ts,
// driven the same way in the same run).
//
//   npm run bench:profile                         2,000 buyers × 5 requests each, 100 connections
//   BENCH_REQUESTS=20000 BENCH_CONNECTIONS=50 npm run bench:profile
//
// The .cpuprofile files are written to a temporary directory (printed) and open in Chrome
// DevTools' Performance panel. Sampling adds its own cost: compare the shares, not the rates,
// with the other benchmarks.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedBuyers, signInMerchant } from './lib/accounts';
import { bargainSku, helpPosts, launchSessions, newBargainCampaign } from './lib/bargains';
import { startBareWorker } from './lib/bare-worker';
import { InspectorSession, moduleStarts, summarise, type CpuProfile, type ProfileSummary } from './lib/cpu-profile';
import { createFlashSale, seedShop } from './lib/flash-sales';
import { createGroupBuy, openRooms } from './lib/group-buys';
import { withLocalWorker } from './lib/harness';
import { loadAverage, machineLine } from './lib/machine';
import { positiveNumber } from './lib/settings';
import { formatTable } from './lib/table';
import { requireWrk, runWrk } from './lib/wrk';
import { burstPosts, type PostRequest } from './lib/wrk-posts';

process.env.WRANGLER_SEND_METRICS = 'false';

const requestCount = Math.ceil(positiveNumber('BENCH_REQUESTS', 10_000));
const connections = Math.ceil(positiveNumber('BENCH_CONNECTIONS', 100));
const INSPECTOR_PORT = Math.ceil(positiveNumber('BENCH_INSPECTOR_PORT', 9239));
const REQUESTS_PER_BUYER = 5;
const JWT_KID = 'bench';
const JWT_KEYS = JSON.stringify({ [JWT_KID]: Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url') });
const MERCHANT = { username: 'bench_owner', password: `bench-${crypto.randomUUID()}` };
const BARE_SECONDS = 8;
const LIST_HIT = '/products?limit=20';
const HELPERS_NEEDED = 10;

type Run = { name: string; requests: number; requestsPerSecond: number; summary: ProfileSummary };

async function main() {
  await requireWrk();
  const outDir = mkdtempSync(join(tmpdir(), 'bench-profile-'));
  const bundle = join(new URL('..', import.meta.url).pathname, 'dist', 'index.js');
  await withLocalWorker({ bindings: { JWT_KEYS, JWT_ACTIVE_KID: JWT_KID }, fakeWeChat: false, inspectorPort: INSPECTOR_PORT }, async (worker) => {
    const buyerCount = Math.ceil(requestCount / REQUESTS_PER_BUYER);
    const [skuId, roomySkuId, groupSkuId, bargainSkuId] = await seedShop(worker, 4, buyerCount + 10);
    const merchantToken = await signInMerchant(worker, MERCHANT);
    // The late crowd for the full rooms are shoppers with no seat yet (a shopper at the per-user
    // limit is refused by that check, which reads D1, before the room is asked).
    const seeded = await seedBuyers(worker, buyerCount * 2, { keys: JWT_KEYS, kid: JWT_KID });
    const [buyers, lateBuyers] = [seeded.slice(0, buyerCount), seeded.slice(buyerCount)];
    // One unit, taken by the first buyer: every later request is a sold-out refusal.
    const sale = await createFlashSale(worker, merchantToken, skuId!, 1, 1);
    const posts: PostRequest[] = Array.from({ length: requestCount }, (_, i) => ({
      path: `/flash-sales/${sale.flashSaleId}/reserve`,
      token: buyers[i % buyers.length]!.token,
      idempotencyKey: `profile-${i}`,
      body: JSON.stringify({ sku_id: skuId }),
    }));
    // Warm-up (not profiled): sells the unit, tells this isolate the SKU is sold out, JIT-compiles both paths.
    await burstPosts(worker.directUrl, posts.slice(0, 500), connections);
    await runWrk(worker.directUrl, ['/healthz/live'], { connections, threads: 2, durationSeconds: 2 });

    const bareHono = await startBareWorker();
    let bareHonoRate = 0;
    try {
      bareHonoRate = (await runWrk(bareHono.directUrl, ['/healthz/live'], { connections, threads: 2, durationSeconds: BARE_SECONDS })).requestsPerSecond;
    } finally {
      await bareHono.dispose();
    }

    const starts = moduleStarts(bundle);
    const isBundle = (url: string) => url.endsWith('index.js') && !url.startsWith('node:');
    const session = await InspectorSession.open(INSPECTOR_PORT);
    const runs: Run[] = [];
    try {
      const profiled = async (name: string, load: () => Promise<{ requests: number; requestsPerSecond: number }>) => {
        let measured = { requests: 0, requestsPerSecond: 0 };
        const profile: CpuProfile = await session.profile(async () => {
          measured = await load();
        });
        writeFileSync(join(outDir, `${name.replace(/\W+/g, '-')}.cpuprofile`), JSON.stringify(profile));
        runs.push({ name, ...measured, summary: summarise(profile, starts, isBundle) });
      };
      await profiled('bare route GET /healthz/live', async () => {
        const m = await runWrk(worker.directUrl, ['/healthz/live'], { connections, threads: 2, durationSeconds: BARE_SECONDS });
        return { requests: m.total, requestsPerSecond: m.requestsPerSecond };
      });
      // A storefront list page answered from the isolate's cache (the first request made it a hit).
      await fetch(`${worker.directUrl}${LIST_HIT}`);
      await profiled('cache hit GET /products?limit=20', async () => {
        const m = await runWrk(worker.directUrl, [LIST_HIT], { connections, threads: 2, durationSeconds: BARE_SECONDS });
        if (m.non2xx > 0) throw new Error(`the list answered ${m.non2xx} non-2xx`);
        return { requests: m.total, requestsPerSecond: m.requestsPerSecond };
      });
      await profiled('sold-out refusal POST /flash-sales/:id/reserve', async () => {
        const b = await burstPosts(worker.directUrl, posts.slice(500), connections);
        if (b.created > 0 || b.other > 0) throw new Error(`expected only sold-out refusals, got ${b.created} created and ${b.other} other (${b.otherCode})`);
        return { requests: b.soldOut, requestsPerSecond: b.requestsPerSecond };
      });
      const roomySale = await createFlashSale(worker, merchantToken, roomySkuId!, 1, buyerCount);
      await profiled('reservation POST /flash-sales/:id/reserve (every buyer wins)', async () => {
        const wins = buyers.map((b, i) => ({
          path: `/flash-sales/${roomySale.flashSaleId}/reserve`,
          token: b.token,
          idempotencyKey: `profile-win-${i}`,
          body: JSON.stringify({ sku_id: roomySkuId }),
        }));
        const b = await burstPosts(worker.directUrl, wins, connections);
        if (b.created !== buyers.length) throw new Error(`expected ${buyers.length} reservations, got ${b.created} (${b.other} other: ${b.otherCode})`);
        return { requests: b.created, requestsPerSecond: b.requestsPerSecond };
      });
      // Rooms of 5, opened before the profile (an open writes D1 before its answer); then four joiners per room.
      const groupBuyId = await createGroupBuy(worker, merchantToken, groupSkuId!);
      const roomCount = Math.floor(buyers.length / 5);
      const rooms = await openRooms(worker, groupBuyId, groupSkuId!, buyers.slice(0, roomCount));
      await profiled('group-buy join POST /group-buys/rooms/:id/join (every joiner gets a seat)', async () => {
        const joins = buyers.slice(roomCount, roomCount * 5).map((b, i) => ({
          path: `/group-buys/rooms/${rooms[i % roomCount]}/join`,
          token: b.token,
          idempotencyKey: `profile-join-${i}`,
          body: JSON.stringify({ sku_id: groupSkuId }),
        }));
        const b = await burstPosts(worker.directUrl, joins, connections);
        // A connection reset (README, Known issues) leaves a join unanswered: reported, not a failure.
        if (b.other > 0 || b.created + b.unanswered !== joins.length)
          throw new Error(`expected ${joins.length} seats, got ${b.created} (${b.other} other: ${b.otherCode}; ${b.unanswered} unanswered)`);
        if (b.unanswered) console.log(`  group-buy joins: ${b.unanswered} of ${joins.length} unanswered (connection reset or timeout)`);
        return { requests: b.created, requestsPerSecond: b.requestsPerSecond };
      });
      await profiled('full-room refusal POST /group-buys/rooms/:id/join (every room full)', async () => {
        // Each late shopper tries five of the full rooms.
        const joins = Array.from({ length: 5 }, (_, t) =>
          lateBuyers.map((b, i) => ({
            path: `/group-buys/rooms/${rooms[(i + t * 7) % roomCount]}/join`,
            token: b.token,
            idempotencyKey: `profile-late-${t}-${i}`,
            body: JSON.stringify({ sku_id: groupSkuId }),
          })),
        ).flat();
        const b = await burstPosts(worker.directUrl, joins, connections);
        if (b.created > 0 || (b.refusals.get('409 room_full') ?? 0) + b.unanswered !== joins.length)
          if ([...b.refusals.keys()].some((k) => k !== '409 room_full'))
            // A join left unanswered above (a reset connection) may have left its room a seat: taken here, and said.
            throw new Error(`expected only room_full, got ${[...b.refusals].join('; ')}`);
        if (b.created) console.log(`  full-room joins: ${b.created} took a seat a reset join had left`);
        return { requests: b.refusals.get('409 room_full') ?? 0, requestsPerSecond: b.requestsPerSecond };
      });
      // Sessions of ten helpers, launched before the profile; every helper new to the shop's bargains.
      const sku = await bargainSku(worker, bargainSkuId!, HELPERS_NEEDED);
      const campaignId = await newBargainCampaign(worker, sku, HELPERS_NEEDED);
      const sessionCount = Math.floor(buyers.length / (HELPERS_NEEDED + 1));
      const sessions = await launchSessions(worker, campaignId, buyers.slice(0, sessionCount));
      const helpers = buyers.slice(sessionCount, sessionCount * (HELPERS_NEEDED + 1));
      await profiled('bargain help POST /bargains/sessions/:id/help (every help cuts)', async () => {
        const b = await burstPosts(worker.directUrl, helpPosts(sessions, helpers, HELPERS_NEEDED, 'profile-help'), connections);
        if (b.refusals.size > 0) throw new Error(`expected only cuts, got ${[...b.refusals].join('; ')}`);
        return { requests: b.created, requestsPerSecond: b.requestsPerSecond };
      });
      await profiled('already-helped refusal POST /bargains/sessions/:id/help (the same helps again)', async () => {
        const b = await burstPosts(worker.directUrl, helpPosts(sessions, helpers, HELPERS_NEEDED, 'profile-help-again'), connections);
        // A help left unanswered above (a reset connection) made no cut: made here, and said.
        if ([...b.refusals.keys()].some((k) => k !== '409 already_helped')) throw new Error(`expected only already_helped, got ${[...b.refusals].join('; ')}`);
        if (b.created) console.log(`  helps again: ${b.created} cut for the first time (their first try got no answer)`);
        return { requests: b.refusals.get('409 already_helped') ?? 0, requestsPerSecond: b.requestsPerSecond };
      });
    } finally {
      session.close();
    }
    report(runs, bareHonoRate, outDir);
  });
}

function report(runs: Run[], bareHonoRate: number, outDir: string) {
  console.log(`\nMachine:  ${machineLine()}; load average ${loadAverage()}`);
  console.log(`Load:     wrk, ${connections} connections, 2 threads; a bare Hono worker (no profiler) did ${bareHonoRate.toFixed(0)} req/s in this run`);
  console.log(`Profiles: ${outDir} (open in Chrome DevTools)\n`);
  const perRequest = (r: Run, ms: number) => (r.requests > 0 ? ((ms * 1000) / r.requests).toFixed(1) : '–');
  console.log(
    formatTable([
      ['profiled run', 'requests', 'req/s (profiling)', 'CPU sampled ms', 'µs per request', 'in JavaScript', 'µs JS per request'],
      ...runs.map((r) => {
        const native = r.summary.modules.filter((m) => m.name.startsWith('(')).reduce((sum, m) => sum + m.ms, 0);
        const js = r.summary.totalMs - native;
        return [
          r.name,
          String(r.requests),
          r.requestsPerSecond.toFixed(0),
          r.summary.totalMs.toFixed(0),
          perRequest(r, r.summary.totalMs),
          `${((js / r.summary.totalMs) * 100).toFixed(0)}%`,
          perRequest(r, js),
        ];
      }),
    ]),
  );
  for (const r of runs) {
    console.log(`\n${r.name}: self time by module (µs per request)\n`);
    console.log(formatTable([['module', 'µs / request', 'share'], ...r.summary.modules.slice(0, 18).map((m) => [m.name, perRequest(r, m.ms), `${(m.share * 100).toFixed(1)}%`])]));
    console.log(`\n${r.name}: self time by function (µs per request)\n`);
    console.log(formatTable([['function', 'µs / request', 'share'], ...r.summary.functions.slice(0, 25).map((m) => [m.name, perRequest(r, m.ms), `${(m.share * 100).toFixed(1)}%`])]));
  }
}

await main();
