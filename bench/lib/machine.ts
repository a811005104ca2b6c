// What the figures were measured on: printed with every benchmark, since they only compare
// within one run on one machine.
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

// Other work on the machine (a test run, a build) takes cores from both sides: show it.
export const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

export function machineLine(): string {
  const cpu = cpus();
  return `${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}, ${process.platform}/${process.arch}, load average ${loadAverage()} at start`;
}

export const coreCount = () => cpus().length;

export function miniflareVersion(): string {
  return JSON.parse(readFileSync(new URL('../../node_modules/miniflare/package.json', import.meta.url), 'utf8')).version;
}
