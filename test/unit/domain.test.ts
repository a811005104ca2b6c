// Pure rules: no database, no runtime features beyond the language.
import { describe, expect, it } from 'vitest';
import { checkSkusAgainstSpecs, stockStatus, summariseSkus, type SkuDraft } from '../../src/domain/catalog';
import { ftsMatchExpression, isShortTerm, searchTerms, shortGrams } from '../../src/domain/search';
import { formatFenAsYuan, parseYuanToFen } from '../../src/lib/money';

const sku = (specValues: string[], patch: Partial<SkuDraft> = {}): SkuDraft => ({
  specValues,
  priceFen: 1000,
  originalPriceFen: 1200,
  memberPriceFen: null,
  stock: 1,
  ...patch,
});
const specs = [
  { name: '颜色', values: ['红', '黑'] },
  { name: '尺码', values: ['S', 'M'] },
];

describe('SKUs against specs', () => {
  it('accepts one SKU per declared combination (not every combination is required)', () => {
    expect(checkSkusAgainstSpecs(specs, [sku(['红', 'S']), sku(['黑', 'M'])])).toEqual([]);
    expect(checkSkusAgainstSpecs([], [sku([])])).toEqual([]);
  });

  it('names every problem with its field path', () => {
    const problems = checkSkusAgainstSpecs(
      [...specs, { name: '颜色', values: ['白', '白'] }],
      [sku(['红', 'S', '白']), sku(['红', 'S', '白']), sku(['紫', 'S', '白']), sku(['红']), sku(['黑', 'M', '白'], { originalPriceFen: 999 }), sku(['黑', 'S', '白'], { memberPriceFen: 1001 })],
    ).map((p) => p.path);
    expect(problems).toEqual([
      'body.specs.2.name',
      'body.specs.2.values',
      'body.skus.1.spec_values',
      'body.skus.2.spec_values.0',
      'body.skus.3.spec_values',
      'body.skus.4.original_price_fen',
      'body.skus.5.member_price_fen',
    ]);
  });

  it('needs at least one SKU', () => {
    expect(checkSkusAgainstSpecs(specs, []).map((p) => p.path)).toEqual(['body.skus']);
  });
});

describe('product summary', () => {
  it('shows the cheapest SKU: its original price, and on sale only when that SKU is discounted', () => {
    const sku = (priceFen: number, originalPriceFen: number) => ({ priceFen, originalPriceFen, stock: 1 });
    expect(summariseSkus([sku(9900, 9900), sku(15900, 19900)])).toMatchObject({ minPriceFen: 9900, minOriginalPriceFen: 9900, onSale: 0 });
    expect(summariseSkus([sku(8900, 9900), sku(15900, 19900)])).toMatchObject({ minPriceFen: 8900, minOriginalPriceFen: 9900, onSale: 1 });
    expect(summariseSkus([sku(8900, 8900), sku(8900, 9900)])).toMatchObject({ minOriginalPriceFen: 9900, onSale: 1 });
  });
});

describe('stock status', () => {
  it('is out, low under ten, in stock otherwise', () => {
    expect([0, -1, 1, 9, 10, 500].map(stockStatus)).toEqual(['out_of_stock', 'out_of_stock', 'low_stock', 'low_stock', 'in_stock', 'in_stock']);
  });
});

describe('money', () => {
  it('parses yuan text to exact fen without floats', () => {
    expect(['0', '0.01', '12.5', '12.50', '129.99', ' 7 ', '0.1', '100000000'].map(parseYuanToFen)).toEqual([0, 1, 1250, 1250, 12999, 700, 10, 10_000_000_000]);
    // 0.1 + 0.2 style float errors cannot happen: 1.15 is 115, not 114.99999.
    expect(parseYuanToFen('1.15')).toBe(115);
  });

  it('refuses anything that is not a plain non-negative amount', () => {
    expect(['', '-1', '1.234', 'abc', '1,000', '1e3', '.5', '1.', 'NaN'].map(parseYuanToFen)).toEqual(Array(9).fill(null));
  });

  it('formats fen as yuan', () => {
    expect([0, 1, 1250, 12999, -305].map(formatFenAsYuan)).toEqual(['0.00', '0.01', '12.50', '129.99', '-3.05']);
  });
});

describe('search text', () => {
  it('splits, lower-cases, strips punctuation and de-duplicates terms', () => {
    expect(searchTerms('  红色，连衣裙!! 连衣裙  T恤 ')).toEqual(['红色', '连衣裙', 't恤']);
    expect(searchTerms('ＡＢＣ')).toEqual(['abc']);
  });

  it('sends short terms to the gram index', () => {
    expect(['裙', '外套', '连衣裙', 'ab', 'abc'].map(isShortTerm)).toEqual([true, true, false, true, false]);
  });

  it('produces every 1- and 2-gram within words, none across them', () => {
    expect(shortGrams('真丝 裙').sort()).toEqual(['丝', '真', '真丝', '裙'].sort());
  });

  it('quotes terms so FTS operators are plain text', () => {
    expect(ftsMatchExpression(['连衣裙', 'a"b'])).toBe('"连衣裙" AND "a""b"');
  });
});
