// Finds the workerd processes this benchmark started, so it can prove none outlives it.
// Miniflare spawns workerd as a direct child of this Node process; other engineers may be
// running their own workerd at the same time, so matching by name alone would be wrong.
import { readdirSync, readFileSync } from 'node:fs';

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
