// The price breakdown shown before paying, from the API's quote (all amounts in fen).
import type { Quote } from './api-types';
import { formatFen } from './money';

export type Breakdown = { itemsTotal: string; adjustments: { label: string; amount: string }[]; shipping: string; payable: string };

type Priced = Pick<Quote, 'items_total_fen' | 'shipping_fee_fen' | 'payable_fen'> & { adjustments: Pick<Quote['adjustments'][number], 'label' | 'amount_fen'>[] };

/** From a quote, or from an order (which keeps only the discount total, not each adjustment). */
export function breakdownOf(quote: Priced): Breakdown {
  return {
    itemsTotal: formatFen(quote.items_total_fen),
    adjustments: quote.adjustments.map((a) => ({ label: a.label, amount: formatFen(-Math.abs(a.amount_fen)) })),
    shipping: quote.shipping_fee_fen > 0 ? formatFen(quote.shipping_fee_fen) : '免运费',
    payable: formatFen(quote.payable_fen),
  };
}
