// Shipping addresses. Every query is scoped by the owner's user id, so another shopper's
// address id simply is not found (404), never shown or changed.
import { and, desc, eq, ne, sql } from 'drizzle-orm';
import { addresses } from '../db/shoppers';
import type { AddressSnapshot } from '../db/orders';
import { runBatch, type Statement } from '../db/batch';
import type { Db } from '../db/client';
import { preparedSelect } from '../db/prepared';
import { firstRow, runRead, type Read } from '../db/reads';
import { toIso } from '../lib/clock';
import { businessRule, notFound } from '../lib/errors';
import { newId } from '../lib/ids';

export const MAX_ADDRESSES_PER_SHOPPER = 20;

export type AddressInput = Omit<AddressSnapshot, 'postal_code'> & { postal_code?: string | null; is_default?: boolean };

export type AddressRow = typeof addresses.$inferSelect;

export const addressSnapshot = (a: AddressRow): AddressSnapshot => ({
  recipient: a.recipient,
  phone: a.phone,
  province: a.province,
  city: a.city,
  district: a.district,
  detail: a.detail,
  postal_code: a.postalCode,
});

export const addressView = (a: AddressRow) => ({ id: a.id, ...addressSnapshot(a), is_default: a.isDefault === 1, created_at: toIso(a.createdAt) });

export async function listAddresses(db: Db, userId: string) {
  const rows = await db.select().from(addresses).where(eq(addresses.userId, userId)).orderBy(desc(addresses.isDefault), desc(addresses.createdAt));
  return rows.map(addressView);
}

// The two lookups every order, flash reservation and group-buy seat makes: prepared once (src/db/prepared.ts).
const at = { userId: sql.placeholder('userId'), addressId: sql.placeholder('addressId') };

/** The shopper's address of this id: no row for another shopper's. */
export const ownAddressSelect = preparedSelect<{ userId: string; addressId: string }, AddressRow[]>((db) =>
  db
    .select()
    .from(addresses)
    .where(and(eq(addresses.id, at.addressId), eq(addresses.userId, at.userId))),
);

/** The shopper's default address, if they have one. */
export const defaultAddressSelect = preparedSelect<{ userId: string }, AddressRow[]>((db) =>
  db
    .select()
    .from(addresses)
    .where(and(eq(addresses.userId, at.userId), eq(addresses.isDefault, 1)))
    .limit(1),
);

export const ownAddressRead = (db: Db, userId: string, addressId: string): Read<AddressRow> => firstRow(ownAddressSelect(db, { userId, addressId }), () => notFound('Address'));

export const findOwnAddress = (db: Db, userId: string, addressId: string) => runRead(db, ownAddressRead(db, userId, addressId));

/** The refusal of an order with no address given and no default one. */
export const addressRequired = () => businessRule('address_required', 'Add a shipping address first.', [{ path: 'body.address_id', message: 'required: no default address' }]);

/** The shopper's default address; none is a 422 (an order needs somewhere to go). */
export const defaultAddressRead = (db: Db, userId: string): Read<AddressRow> => firstRow(defaultAddressSelect(db, { userId }), addressRequired);

/** Where an order ships: the address chosen, else the default one. */
export const shippingAddressRead = (db: Db, userId: string, addressId: string | undefined) => (addressId ? ownAddressRead(db, userId, addressId) : defaultAddressRead(db, userId));

/** Clearing the old default and setting the new one happen in one batch: never two defaults. */
const makeDefaultStatements = (db: Db, userId: string, addressId: string, now: number) => [
  db
    .update(addresses)
    .set({ isDefault: 0, updatedAt: now })
    .where(and(eq(addresses.userId, userId), ne(addresses.id, addressId), eq(addresses.isDefault, 1))),
  db
    .update(addresses)
    .set({ isDefault: 1, updatedAt: now })
    .where(and(eq(addresses.id, addressId), eq(addresses.userId, userId))),
];

export async function createAddress(db: Db, userId: string, input: AddressInput, now: number) {
  const existing = await db.select({ id: addresses.id }).from(addresses).where(eq(addresses.userId, userId));
  if (existing.length >= MAX_ADDRESSES_PER_SHOPPER) {
    throw businessRule('too_many_addresses', `A shopper keeps at most ${MAX_ADDRESSES_PER_SHOPPER} addresses.`);
  }
  const id = newId('adr');
  const { is_default: wantsDefault, postal_code, ...fields } = input;
  await runBatch(db, [
    db.insert(addresses).values({ id, userId, ...fields, postalCode: postal_code ?? null, isDefault: 0, createdAt: now, updatedAt: now }),
    // The first address is the default whatever the shopper said.
    ...(wantsDefault || existing.length === 0 ? makeDefaultStatements(db, userId, id, now) : []),
  ]);
  return addressView(await findOwnAddress(db, userId, id));
}

export async function updateAddress(db: Db, userId: string, addressId: string, patch: Partial<AddressInput>, now: number) {
  const current = await findOwnAddress(db, userId, addressId);
  const { is_default: wantsDefault, postal_code, ...fields } = patch;
  await runBatch(db, [
    db
      .update(addresses)
      .set({ ...fields, postalCode: postal_code === undefined ? current.postalCode : postal_code, updatedAt: now })
      .where(and(eq(addresses.id, addressId), eq(addresses.userId, userId))),
    ...(wantsDefault ? makeDefaultStatements(db, userId, addressId, now) : []),
  ]);
  return addressView(await findOwnAddress(db, userId, addressId));
}

/** Deleting the default address promotes the most recent remaining one. */
export async function deleteAddress(db: Db, userId: string, addressId: string, now: number) {
  const current = await findOwnAddress(db, userId, addressId);
  const statements: Statement[] = [db.delete(addresses).where(and(eq(addresses.id, addressId), eq(addresses.userId, userId)))];
  if (current.isDefault) {
    const [next] = await db
      .select({ id: addresses.id })
      .from(addresses)
      .where(and(eq(addresses.userId, userId), ne(addresses.id, addressId)))
      .orderBy(desc(addresses.createdAt))
      .limit(1);
    if (next) statements.push(...makeDefaultStatements(db, userId, next.id, now));
  }
  await runBatch(db, statements);
}
