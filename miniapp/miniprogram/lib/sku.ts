// The spec picker's rules: which SKU a choice of spec values names, and which values can still
// be chosen (a value is disabled when no in-stock SKU has it together with the other choices).
import type { ProductSku, ProductSpec } from './api-types';

export type Choice = (string | null)[];

export type PickerOption = { value: string; selected: boolean; disabled: boolean };
export type PickerRow = { name: string; options: PickerOption[] };

const fits = (sku: ProductSku, choice: Choice, skipIndex = -1) => choice.every((v, i) => i === skipIndex || v === null || sku.spec_values[i] === v);

/** The SKU the choice names, once every spec has a value. */
export function skuFor(skus: ProductSku[], choice: Choice): ProductSku | null {
  if (choice.some((v) => v === null)) return null;
  return skus.find((s) => s.spec_values.length === choice.length && fits(s, choice)) ?? null;
}

export function pickerRows(specs: ProductSpec[], skus: ProductSku[], choice: Choice): PickerRow[] {
  const inStock = skus.filter((s) => s.stock > 0);
  return specs.map((spec, index) => ({
    name: spec.name,
    options: spec.values.map((value) => ({
      value,
      selected: choice[index] === value,
      disabled: !inStock.some((s) => s.spec_values[index] === value && fits(s, choice, index)),
    })),
  }));
}

/** Tapping a value selects it, tapping the selected one clears it; disabled values do nothing. */
export function toggle(specs: ProductSpec[], skus: ProductSku[], choice: Choice, index: number, value: string): Choice {
  const option = pickerRows(specs, skus, choice)[index]?.options.find((o) => o.value === value);
  if (!option || (option.disabled && !option.selected)) return choice;
  return choice.map((v, i) => (i === index ? (v === value ? null : value) : v));
}

/** The first choice to show: a product with a single SKU is chosen already. */
export function initialChoice(specs: ProductSpec[], skus: ProductSku[]): Choice {
  const only = skus.length === 1 ? skus[0] : undefined;
  return specs.map((_, i) => only?.spec_values[i] ?? null);
}
