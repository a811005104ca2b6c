// Redeem codes (兑换码): generated in batches for a template, unique, single- or multi-use, and
// exported as CSV with a UTF-8 byte-order mark (so Excel on Windows reads the Chinese right).
import { and, asc, eq } from 'drizzle-orm';
import { redeemCodes } from '../../db/coupons';
import { chunkForInsert, runBatch } from '../../db/batch';
import type { Db } from '../../db/client';
import { toIso } from '../../lib/clock';
import { newId } from '../../lib/ids';
import { findTemplate } from './templates';

/** No 0/O, 1/I/L: codes are typed in from print. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 12;
export const MAX_CODES_PER_BATCH = 2000;

function newCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(CODE_LENGTH));
  // 31 letters: the modulo bias (256 % 31 = 8) is negligible against 31^12 codes.
  return [...bytes].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join('');
}

export async function generateCodes(db: Db, templateId: string, count: number, maxUses: number, now: number) {
  await findTemplate(db, templateId);
  const batchId = newId('rcb');
  const rows = Array.from({ length: count }, () => ({ id: newId('rdc'), code: newCode(), templateId, batchId, maxUses, usedCount: 0, createdAt: now }));
  // A collision (1 in 10^17 per pair) would fail the whole batch on the unique index: nothing half-written.
  await runBatch(
    db,
    chunkForInsert(rows, 7).map((chunk) => db.insert(redeemCodes).values(chunk)),
  );
  return { batch_id: batchId, count, max_uses: maxUses };
}

const csvField = (value: string | number | null) => {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** Every code of the template (or of one batch) as CSV, BOM first. */
export async function codesCsv(db: Db, templateId: string, batchId?: string): Promise<string> {
  const template = await findTemplate(db, templateId);
  const rows = await db
    .select()
    .from(redeemCodes)
    .where(and(eq(redeemCodes.templateId, templateId), batchId ? eq(redeemCodes.batchId, batchId) : undefined))
    .orderBy(asc(redeemCodes.createdAt), asc(redeemCodes.code));
  const lines = [['兑换码', '优惠券', '可用次数', '已用次数', '批次', '生成时间'].join(',')];
  for (const r of rows) lines.push([r.code, template.name, r.maxUses, r.usedCount, r.batchId, toIso(r.createdAt)].map(csvField).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
