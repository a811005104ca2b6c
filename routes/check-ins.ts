// The signed-in shopper's check-ins (签到): today, a make-up of a missed day (补签), the calendar.
import { Hono } from 'hono';
import * as v from 'valibot';
import type { AppEnv } from '../src/env';
import { localDateOf } from '../src/domain/loyalty/check-in';
import { requireShopper } from '../src/http/auth';
import { noBody, validate } from '../src/lib/validate';
import { checkInCalendar, checkInToday, makeUpCheckIn } from '../src/services/loyalty/check-ins';

const ctxOf = (c: { env: AppEnv['Bindings']; var: AppEnv['Variables'] }) => ({ db: c.var.db, userId: c.var.shopper.id, now: c.var.clock.now(), timeZone: c.env.SHOP_TIME_ZONE });

export const checkInRoutes = new Hono<AppEnv>()
  .use('/me/check-ins', requireShopper())
  .use('/me/check-ins/*', requireShopper())
  .post('/me/check-ins', noBody, async (c) => c.json(await checkInToday(ctxOf(c)), 201))
  .post('/me/check-ins/make-up', validate('json', v.strictObject({ date: v.pipe(v.string(), v.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date (YYYY-MM-DD)')) })), async (c) =>
    c.json(await makeUpCheckIn(ctxOf(c), c.req.valid('json').date), 201),
  )
  .get('/me/check-ins', validate('query', v.strictObject({ month: v.optional(v.pipe(v.string(), v.regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month (YYYY-MM)'))) })), async (c) => {
    const ctx = ctxOf(c);
    return c.json(await checkInCalendar(ctx, c.req.valid('query').month ?? localDateOf(ctx.now, ctx.timeZone).slice(0, 7)));
  });
