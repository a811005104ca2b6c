// The life of a benchmark: start the local worker (and, when it needs one, the fake WeChat),
// run, and always stop both (on SIGINT too), then prove no workerd outlives the run and nothing
// is still listening. Sets process.exitCode to 1 when the cleanup is not clean.
import { startLocalWorker, type LocalWorker } from '../../scripts/local-worker';
import { wechatWorkerBindings } from '../../test/fakes/wechat-bindings';
import { startFakeWeChatForMerchant } from '../../test/fakes/wechat-merchant';
import type { FakeWeChat } from '../../test/fakes/wechat-server';
import { childWorkerdPids, endedByThemselves, isListening } from './processes';

export type HarnessOptions = { bindings?: Record<string, string>; fakeWeChat: boolean; inspectorPort?: number };

/** `run` gets the fake WeChat too when one was started (its control endpoints are at fake.url). */
export async function withLocalWorker(opts: HarnessOptions, run: (worker: LocalWorker, fake?: FakeWeChat) => Promise<void>): Promise<void> {
  let worker: LocalWorker | undefined;
  let fake: FakeWeChat | undefined;
  const stop = async () => {
    const [w, f] = [worker, fake];
    [worker, fake] = [undefined, undefined]; // once, whether SIGINT or the finally comes first
    await Promise.allSettled([w?.dispose(), f?.close()]);
  };
  process.once('SIGINT', () => void stop().finally(() => process.exit(130)));

  try {
    console.log(`${opts.fakeWeChat ? 'Starting the fake WeChat, building' : 'Building'} dist/ (wrangler deploy --dry-run) and starting it on workerd through Miniflare …`);
    let wechat: Record<string, string> = {};
    if (opts.fakeWeChat) {
      const started = await startFakeWeChatForMerchant();
      fake = started.fake;
      wechat = wechatWorkerBindings(started.context);
    }
    worker = await startLocalWorker({ bindings: { ...wechat, ...opts.bindings }, ...(opts.inspectorPort === undefined ? {} : { inspectorPort: opts.inspectorPort }) });
    await run(worker, fake);
  } finally {
    // Looked up here rather than after start, so a start that failed half-way is covered too.
    const workerdPids = childWorkerdPids();
    const urls = [worker?.url, worker?.directUrl, fake?.url].filter((u): u is string => !!u);
    await stop();
    const clean = (await endedByThemselves(workerdPids)) && !(await Promise.all(urls.map(isListening))).some(Boolean);
    console.log(`\nCleanup: ${clean ? 'workerd ended, nothing listening on' : 'NOT CLEAN — check'} ${urls.join(' and ')}`);
    if (!clean) process.exitCode = 1;
  }
}
