// The spec picker chooses the SKU that the selected values name and disables values that cannot
// be bought with the other choices.
import { describe, expect, it } from 'vitest';
import { specPicker } from '../../../miniapp/miniprogram/components/spec-picker/component';
import { product } from './fixtures';
import { find, render, simulate, textOf } from './simulate';

function picker() {
  const comp = render('components/spec-picker', specPicker, { specs: product.specs, skus: product.skus });
  const changes: { skuId: string | null; quantity: number }[] = [];
  comp.addEventListener('change', (event) => changes.push(event.detail));
  const value = (text: string) => {
    const found = comp.querySelectorAll('.picker-value').find((v) => v.dom.textContent?.trim() === text);
    if (!found) throw new Error(`no value ${text}`);
    return found;
  };
  // j-component applies setData to the view on the next tick, as WeChat does.
  const tap = async (text: string) => {
    value(text).dispatchEvent('tap');
    await simulate.sleep(0);
  };
  const tapSelector = async (selector: string) => {
    find(comp, selector).dispatchEvent('tap');
    await simulate.sleep(0);
  };
  return { comp, changes, value, tap, tapSelector };
}

describe('spec picker', () => {
  it('names the SKU of the chosen values, with its price and stock', async () => {
    const { comp, changes, tap } = picker();
    expect(textOf(comp, '.picker-price')).toBe('¥129.00–¥139.00');
    expect(textOf(comp, '.picker-hint')).toBe('请选择 颜色 尺码');
    await tap('黑色');
    await tap('M');
    expect(changes.at(-1)).toEqual({ skuId: 'sku_bm', quantity: 1 });
    expect(textOf(comp, '.picker-price')).toBe('¥139.00');
    expect(textOf(comp, '.picker-stock')).toBe('库存 8 件');
    await tap('红色');
    expect(changes.at(-1)).toEqual({ skuId: 'sku_rm', quantity: 1 });
  });

  it('disables a value whose combination is sold out, and ignores taps on it', async () => {
    const { changes, value, tap } = picker();
    await tap('黑色');
    expect(value('S').dom.className).toContain('disabled');
    expect(value('M').dom.className).not.toContain('disabled');
    await tap('S');
    expect(value('S').dom.className).not.toContain('selected');
    // Still no SKU: nothing new is reported.
    expect(changes.every((c) => c.skuId === null)).toBe(true);
  });

  it('tapping a chosen value clears it; the quantity stays within the SKU stock', async () => {
    const { comp, changes, tap, tapSelector } = picker();
    await tap('红色');
    await tap('S');
    expect(changes.at(-1)?.skuId).toBe('sku_rs');
    for (let i = 0; i < 7; i++) await tapSelector('.plus');
    expect(changes.at(-1)).toEqual({ skuId: 'sku_rs', quantity: 5 });
    await tapSelector('.minus');
    expect(changes.at(-1)?.quantity).toBe(4);
    await tap('S');
    expect(changes.at(-1)?.skuId).toBeNull();
    expect(textOf(comp, '.picker-hint')).toBe('请选择 尺码');
  });
});
