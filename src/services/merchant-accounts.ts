// Staff accounts (owner only). The shop must always keep one active owner.
import { and, asc, eq, ne } from 'drizzle-orm';
import { merchantAccounts, type MerchantRole } from '../db/merchants';
import { runBatch } from '../db/batch';
import type { Db } from '../db/client';
import { toIso } from '../lib/clock';
import { conflict, notFound } from '../lib/errors';
import { newId } from '../lib/ids';
import { hashPassword } from '../lib/password';

type AccountRow = typeof merchantAccounts.$inferSelect;

export const accountView = (a: AccountRow) => ({
  id: a.id,
  username: a.username,
  display_name: a.displayName,
  role: a.role,
  disabled: a.disabled === 1,
  created_at: toIso(a.createdAt),
});

export async function listAccounts(db: Db) {
  const rows = await db.select().from(merchantAccounts).orderBy(asc(merchantAccounts.createdAt), asc(merchantAccounts.id));
  return rows.map(accountView);
}

export type NewAccount = { username: string; display_name: string; password: string; role: MerchantRole };

export async function createAccount(db: Db, input: NewAccount, now: number) {
  const id = newId('mer');
  await runBatch(db, [
    db.insert(merchantAccounts).values({
      id,
      username: input.username,
      displayName: input.display_name,
      passwordHash: await hashPassword(input.password),
      role: input.role,
      createdAt: now,
      updatedAt: now,
    }),
  ]);
  return accountView((await db.query.merchantAccounts.findFirst({ where: eq(merchantAccounts.id, id) }))!);
}

export type AccountPatch = { display_name?: string; role?: MerchantRole; disabled?: boolean; password?: string };

export async function updateAccount(db: Db, accountId: string, patch: AccountPatch, now: number) {
  const account = await db.query.merchantAccounts.findFirst({ where: eq(merchantAccounts.id, accountId) });
  if (!account) throw notFound('Account');
  const losesOwner = account.role === 'owner' && !account.disabled && ((patch.role && patch.role !== 'owner') || patch.disabled === true);
  if (losesOwner) {
    const otherOwner = await db.query.merchantAccounts.findFirst({
      where: and(eq(merchantAccounts.role, 'owner'), eq(merchantAccounts.disabled, 0), ne(merchantAccounts.id, accountId)),
    });
    if (!otherOwner) throw conflict('last_owner', 'The shop must keep at least one active owner.');
  }
  await runBatch(db, [
    db
      .update(merchantAccounts)
      .set({
        displayName: patch.display_name ?? account.displayName,
        role: patch.role ?? account.role,
        disabled: patch.disabled === undefined ? account.disabled : patch.disabled ? 1 : 0,
        passwordHash: patch.password ? await hashPassword(patch.password) : account.passwordHash,
        failedLogins: patch.password ? 0 : account.failedLogins,
        lockedUntil: patch.password ? null : account.lockedUntil,
        updatedAt: now,
      })
      .where(eq(merchantAccounts.id, accountId)),
  ]);
  return accountView((await db.query.merchantAccounts.findFirst({ where: eq(merchantAccounts.id, accountId) }))!);
}
