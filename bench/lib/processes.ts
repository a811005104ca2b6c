// Finds the workerd processes this benchmark started, so it can prove none outlives it.
// Miniflare spawns workerd as a direct child of this Node process; other engineers may be
// running their own workerd at the same time, so matching by name alone would be wrong.
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';

export function childWorkerdPids(parentPid = process.pid): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return []; // not Linux: nothing we can check
  }
  return entries.flatMap((entry) => {
    try {
      // /proc/<pid>/stat is "pid (comm) state ppid …"; comm may contain spaces, so split after ")".
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return comm.startsWith('workerd') && ppid === parentPid ? [Number(entry)] : [];
    } catch {
      return []; // the process ended while we looked
    }
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Miniflare's dispose should end workerd: waits for the given pids to go, ends any straggler
 * (by pid, never by name) and says whether all had ended by themselves.
 */
export async function endedByThemselves(pids: number[], waitMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  while (pids.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const left = pids.filter(isAlive);
  for (const pid of left) process.kill(pid, 'SIGKILL');
  if (left.length) console.error(`workerd (pid ${left.join(', ')}) was still running after dispose; killed it`);
  return left.length === 0;
}

/** Whether something still accepts TCP connections at the URL's host and port. */
export function isListening(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.setTimeout(1_000);
    const done = (listening: boolean) => {
      socket.destroy();
      resolve(listening);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}
