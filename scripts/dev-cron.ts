// Cron triggers for local development. `wrangler dev` never fires the scheduled handler by itself
// ("Scheduled Workers are not automatically triggered during local development"), so without this
// unpaid orders would never expire locally and approved refunds would never reach the fake WeChat
// Pay. At the start of every minute (UTC, as Cloudflare runs crons), each of wrangler.toml's
// [triggers] crons that matches that minute is fired through the endpoint wrangler dev and
// Miniflare expose for it: GET /cdn-cgi/handler/scheduled?cron=…&time=….

/** One cron field: `*`, `n`, `a-b`, each optionally `/step`, comma-separated; numbers only. */
function fieldMatches(field: string, value: number, min: number, max: number): boolean {
  return field.split(',').some((part) => {
    const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!match) throw new Error(`unsupported cron field "${field}"`);
    const [, all, from, to, step] = match;
    const start = all === '*' ? min : Number(from);
    const end = all === '*' || (step !== undefined && to === undefined) ? max : Number(to ?? from);
    return value >= start && value <= end && (value - start) % Number(step ?? 1) === 0;
  });
}

/**
 * Whether a five-field cron expression (minute hour day-of-month month day-of-week, numeric,
 * 0 or 7 = Sunday) fires in the UTC minute of `at`. As in cron, when both day fields are
 * restricted, either one matching is enough. Throws on syntax this does not support.
 */
export function cronMatches(expression: string, at: Date): boolean {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) throw new Error(`unsupported cron expression "${expression}" (five numeric fields expected)`);
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields as [string, string, string, string, string];
  const weekday = at.getUTCDay();
  const domOk = fieldMatches(dayOfMonth, at.getUTCDate(), 1, 31);
  const dowOk = fieldMatches(dayOfWeek, weekday, 0, 7) || (weekday === 0 && fieldMatches(dayOfWeek, 7, 0, 7));
  const days = dayOfMonth !== '*' && dayOfWeek !== '*' ? domOk || dowOk : domOk && dowOk;
  return fieldMatches(minute, at.getUTCMinutes(), 0, 59) && fieldMatches(hour, at.getUTCHours(), 0, 23) && fieldMatches(month, at.getUTCMonth() + 1, 1, 12) && days;
}

/** The crons of wrangler.toml's [triggers] section. */
export function configuredCrons(toml: string): string[] {
  const triggers = /^\[triggers\]\s*$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(toml)?.[1] ?? '';
  const list = /^crons\s*=\s*\[([^\]]*)\]/m.exec(triggers)?.[1] ?? '';
  return [...list.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
}

export type CronSweep = { stop(): void };

/**
 * Fires `crons` at the local worker at the start of every minute that they match, until stopped.
 * `minuteMs` is 60 s except in tests; a failed or refused trigger is logged and retried the next
 * minute, like the platform's own.
 */
export function startCronSweep(opts: { workerUrl: string; crons: string[]; log?: (line: string) => void; minuteMs?: number; now?: () => number }): CronSweep {
  const minuteMs = opts.minuteMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const log = opts.log ?? ((line: string) => console.log(line));
  for (const cron of opts.crons) cronMatches(cron, new Date(0)); // unsupported syntax fails at start, not a minute later
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const fire = async (scheduledMs: number) => {
    for (const cron of opts.crons.filter((c) => cronMatches(c, new Date(scheduledMs)))) {
      const url = `${opts.workerUrl}/cdn-cgi/handler/scheduled?cron=${encodeURIComponent(cron)}&time=${scheduledMs}`;
      try {
        const response = await fetch(url);
        const outcome = await response.text();
        log(`${response.ok ? '⏱' : '⚠'} cron "${cron}" at ${new Date(scheduledMs).toISOString()}: ${response.status} ${outcome.trim()}`);
      } catch (error) {
        log(`⚠ cron "${cron}" at ${new Date(scheduledMs).toISOString()} not delivered: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  const schedule = () => {
    if (stopped) return;
    const next = Math.floor(now() / minuteMs) * minuteMs + minuteMs;
    timer = setTimeout(() => {
      void fire(next).finally(schedule);
    }, next - now());
  };
  schedule();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
