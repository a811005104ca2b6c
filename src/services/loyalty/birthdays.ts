// Birthdays (生日): the shopper sets theirs (PATCH /me {birthday}); once set, a change waits 12
// months (a guarded upsert, not read-modify-write). On the birthday — the shop-local date — orders
// earn the birthday multiplier, and the daily sweep gives the level's birthday coupon once a year
// (a birthday_grants row per shopper and year; the coupon is keyed by that row).
import { eq, sql } from 'drizzle-orm';
import { runBatch, type Statement } from '../../db/batch';
import type { Db } from '../../db/client';
import { read } from '../../db/reads';
import { memberBirthdays } from '../../db/loyalty';
import { BIRTHDAY_CHANGE_INTERVAL_MS, birthdayProblem, isBirthdayOn, monthDaysCelebratedOn } from '../../domain/loyalty/birthday';
import { localDateOf } from '../../domain/loyalty/check-in';
import { toIso } from '../../lib/clock';
import { businessRule, invalidInput } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { bonusCouponStatements, loadRewardTemplates } from '../coupons/rewards';

const GRANTS_PER_BATCH = 20;

export const birthdayView = (row: typeof memberBirthdays.$inferSelect | undefined) =>
  row ? { birthday: row.birthday, changeable_from: toIso(row.setAt + BIRTHDAY_CHANGE_INTERVAL_MS) } : { birthday: null, changeable_from: null };

export const findBirthday = (db: Db, userId: string) => db.query.memberBirthdays.findFirst({ where: eq(memberBirthdays.userId, userId) });

/**
 * Sets the birthday: the first time freely, later only 12 months after the last change (422
 * birthday_change_too_soon). Setting the same date again changes nothing and is not refused.
 */
export async function setBirthday(db: Db, userId: string, birthday: string, now: number, timeZone: string) {
  const problem = birthdayProblem(birthday, localDateOf(now, timeZone));
  if (problem) throw invalidInput([{ path: 'body.birthday', message: problem }]);
  const [written] = await runBatch(db, [
    sql`INSERT INTO member_birthdays (user_id, birthday, month_day, set_at, created_at) VALUES (${userId}, ${birthday}, ${birthday.slice(5)}, ${now}, ${now})
        ON CONFLICT (user_id) DO UPDATE SET birthday = excluded.birthday, month_day = excluded.month_day, set_at = excluded.set_at
        WHERE member_birthdays.birthday <> excluded.birthday AND member_birthdays.set_at <= ${now - BIRTHDAY_CHANGE_INTERVAL_MS}`,
  ]);
  const row = await findBirthday(db, userId);
  if (!written?.meta.changes && row?.birthday !== birthday) {
    throw businessRule('birthday_change_too_soon', 'The birthday can be changed once every 12 months.', [
      { path: 'body.birthday', message: `can be changed again from ${toIso(row!.setAt + BIRTHDAY_CHANGE_INTERVAL_MS)}` },
    ]);
  }
  return birthdayView(row);
}

/** Whether `now` falls on the shopper's birthday in the shop's time zone. */
export const isBirthdayNowRead = (db: Db, userId: string, now: number, timeZone: string) =>
  read(
    [db.select({ birthday: memberBirthdays.birthday }).from(memberBirthdays).where(eq(memberBirthdays.userId, userId))],
    ([[row]]) => !!row && isBirthdayOn(row.birthday, localDateOf(now, timeZone)),
  );

/**
 * The sweep's step: shoppers whose birthday is today (shop-local) and whose level — held, or a
 * running paid plan's if higher — names a birthday coupon, and who have had no birthday benefit
 * this year. Each gets a birthday_grants row and the coupon keyed by it (a paused or sold-out
 * template gives nothing that day).
 */
export async function grantBirthdayCoupons(db: Db, now: number, timeZone: string, limit = 200) {
  const today = localDateOf(now, timeZone);
  const year = Number(today.slice(0, 4));
  const monthDays = monthDaysCelebratedOn(today);
  const { results: due } = await db.$client
    .prepare(
      `SELECT b.user_id AS userId, l.birthday_coupon_template_id AS templateId
       FROM member_birthdays b
       JOIN member_levels l ON l.rank = MAX(
         COALESCE((SELECT level_rank FROM member_states s WHERE s.user_id = b.user_id), 0),
         COALESCE((SELECT MAX(p.level_rank) FROM plan_purchases pp JOIN member_plans p ON p.id = pp.plan_id
                   WHERE pp.user_id = b.user_id AND pp.status = 'paid' AND pp.starts_at <= ?1 AND pp.ends_at > ?1), 0))
       WHERE b.month_day IN (${monthDays.map((_, i) => `?${i + 4}`).join(', ')}) AND l.birthday_coupon_template_id IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM birthday_grants g WHERE g.user_id = b.user_id AND g.year = ?2)
       LIMIT ?3`,
    )
    .bind(now, year, limit, ...monthDays)
    .all<{ userId: string; templateId: string }>();
  const templates = await loadRewardTemplates(
    db,
    due.map((d) => d.templateId),
  );
  for (let i = 0; i < due.length; i += GRANTS_PER_BATCH) {
    const statements: Statement[] = due.slice(i, i + GRANTS_PER_BATCH).flatMap(({ userId, templateId }) => {
      const grantId = newId('bdg');
      const template = templates.get(templateId);
      return [
        sql`INSERT OR IGNORE INTO birthday_grants (id, user_id, year, coupon_template_id, created_at) VALUES (${grantId}, ${userId}, ${year}, ${templateId}, ${now})`,
        ...(template ? bonusCouponStatements({ template, userId, source: 'birthday', sourceRef: grantId }, sql`EXISTS (SELECT 1 FROM birthday_grants WHERE id = ${grantId})`, now, timeZone) : []),
      ];
    });
    await runBatch(db, statements);
  }
  return due.length;
}
