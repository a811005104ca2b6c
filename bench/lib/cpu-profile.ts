// CPU profiles of the local worker's isolate, taken through workerd's DevTools inspector (the
// V8 Profiler domain), and a summary of where the samples fell: by bundled source module (the
// bundle's `// path` comments) and by function. The worker and its Durable Objects share one
// isolate locally, so a profile covers both; idle samples are left out; "(program)" is time in workerd's C++ outside
// JavaScript (HTTP parsing, sockets, storage), "(garbage collector)" is V8's GC.
//
// Needs Node's WebSocket: run under `node --experimental-websocket` (the npm script sets it).
import { readFileSync } from 'node:fs';

type CallFrame = { functionName: string; url: string; lineNumber: number; columnNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
export type CpuProfile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

/** One DevTools session on the worker's isolate. */
export class InspectorSession {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } };
      const waiting = message.id === undefined ? undefined : this.pending.get(message.id);
      if (!waiting || message.id === undefined) return;
      this.pending.delete(message.id);
      if (message.error) waiting.reject(new Error(message.error.message));
      else waiting.resolve(message.result);
    });
  }

  /** Connects to the first worker Miniflare's inspector proxy lists on `port`. */
  static async open(port: number): Promise<InspectorSession> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
    const target = targets[0];
    if (!target) throw new Error(`the inspector on port ${port} lists no worker`);
    const socket = new WebSocket(target.webSocketDebuggerUrl);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('error', () => reject(new Error(`cannot connect to ${target.webSocketDebuggerUrl}`)), { once: true });
    });
    const session = new InspectorSession(socket);
    await session.send('Profiler.enable');
    // 200 µs: fine enough for a request that takes a few hundred µs of CPU, cheap enough not to skew it.
    await session.send('Profiler.setSamplingInterval', { interval: 200 });
    return session;
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    this.socket.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  /** Profiles the isolate while `load` runs. */
  async profile(load: () => Promise<void>): Promise<CpuProfile> {
    await this.send('Profiler.start');
    // Stopped whatever happened to the load, so the next profile starts clean.
    const failure = await load().then(
      () => null,
      (error: unknown) => ({ error }),
    );
    const { profile } = (await this.send('Profiler.stop')) as { profile: CpuProfile };
    if (failure) throw failure.error;
    return profile;
  }

  close() {
    this.socket.close();
  }
}

export type ProfileSummary = {
  totalMs: number;
  /** Self time per bundled module (or V8's pseudo-frames), largest first. */
  modules: { name: string; ms: number; share: number }[];
  /** Self time per function (module, name, line), largest first. */
  functions: { name: string; ms: number; share: number }[];
};

/** Where the bundle's modules start: esbuild writes `// src/lib/log.ts` before each one. */
export function moduleStarts(bundlePath: string): { line: number; module: string }[] {
  const starts: { line: number; module: string }[] = [];
  readFileSync(bundlePath, 'utf8')
    .split('\n')
    .forEach((text, index) => {
      const match = /^\/\/ ((?:src|routes|durable-objects|node_modules)\/\S+)$/.exec(text);
      if (match) starts.push({ line: index, module: match[1]! });
    });
  return starts;
}

function moduleAt(starts: { line: number; module: string }[], line: number): string {
  let low = 0;
  let high = starts.length - 1;
  let found = '(bundle prelude)';
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (starts[mid]!.line <= line) {
      found = starts[mid]!.module;
      low = mid + 1;
    } else high = mid - 1;
  }
  // node_modules/hono/dist/… → hono: a library's files are one row.
  const library = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(found);
  return library ? library[1]! : found;
}

/** Self time by module and by function; `isBundle` tells the worker's script from the runtime's own. */
export function summarise(profile: CpuProfile, starts: { line: number; module: string }[], isBundle: (url: string) => boolean): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const modules = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    // The isolate waiting for I/O or the next request is not CPU spent.
    if (frame.functionName === '(idle)') continue;
    total += us;
    const module = isBundle(frame.url) ? moduleAt(starts, frame.lineNumber) : frame.url ? `(runtime) ${frame.url}` : frame.functionName || '(anonymous)';
    modules.set(module, (modules.get(module) ?? 0) + us);
    const fn = frame.url ? `${module} ${frame.functionName || '(anonymous)'}:${frame.lineNumber + 1}` : module;
    functions.set(fn, (functions.get(fn) ?? 0) + us);
  }
  const rows = (m: Map<string, number>) => [...m].map(([name, us]) => ({ name, ms: us / 1000, share: total > 0 ? us / total : 0 })).sort((a, b) => b.ms - a.ms);
  return { totalMs: total / 1000, modules: rows(modules), functions: rows(functions) };
}
