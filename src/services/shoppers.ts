// A shopper's own profile: reading it, editing it, binding the phone number WeChat vouched for.
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { users } from '../db/shoppers';
import { toIso } from '../lib/clock';
import { notFound } from '../lib/errors';

export type ShopperRow = typeof users.$inferSelect;

export async function findShopper(db: Db, userId: string): Promise<ShopperRow | undefined> {
  return db.query.users.findFirst({ where: eq(users.id, userId) });
}

/** The owner's own profile: the one place the full phone number is shown. */
export async function ownProfile(db: Db, userId: string) {
  const user = await findShopper(db, userId);
  if (!user) throw notFound('Shopper');
  return { id: user.id, nickname: user.nickname, avatar_url: user.avatarUrl, phone: user.phone, member_level: user.memberLevel, created_at: toIso(user.createdAt) };
}

export async function updateProfile(db: Db, userId: string, patch: { nickname?: string | undefined; avatar_url?: string | null | undefined }, now: number) {
  await db
    .update(users)
    .set({ ...(patch.nickname !== undefined && { nickname: patch.nickname }), ...(patch.avatar_url !== undefined && { avatarUrl: patch.avatar_url }), updatedAt: now })
    .where(eq(users.id, userId));
}

/** Stores the number in E.164 form (+<country code><number>). */
export async function bindPhone(db: Db, userId: string, phone: { countryCode: string; purePhoneNumber: string }, now: number) {
  await db
    .update(users)
    .set({ phone: `+${phone.countryCode}${phone.purePhoneNumber}`, updatedAt: now })
    .where(eq(users.id, userId));
}
