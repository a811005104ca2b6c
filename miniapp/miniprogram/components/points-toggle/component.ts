// The points line of checkout (积分抵扣): how many points the order may use and what they save,
// and a switch. The quote decides the numbers (caps, balance, debt); the switch only asks for
// them, firing "change" with {use}, and the page quotes again with or without points.
import type { QuotePoints } from '../../lib/api-types';
import { formatFen } from '../../lib/money';
import { defineComponent } from '../../lib/page';

export const pointsToggle = defineComponent({
  properties: {
    points: { type: Object, value: null as QuotePoints | null },
    use: { type: Boolean, value: false },
  },
  data: { text: '', usable: false },
  observers: {
    'points, use'() {
      this.describe();
    },
  },
  lifetimes: {
    attached() {
      this.describe();
    },
  },
  methods: {
    describe(): void {
      const p = this.data.points;
      if (!p) {
        this.setData({ text: '', usable: false });
        return;
      }
      const usable = p.can_spend && p.max_usable > 0;
      const text = !p.can_spend
        ? '有待补扣的积分，暂不能使用'
        : this.data.use && p.applied > 0
          ? `使用 ${p.applied} 积分，抵扣 ${formatFen(p.saving_fen)}`
          : usable
            ? `可用 ${p.max_usable} 积分（共 ${p.balance}）`
            : `共 ${p.balance} 积分，本单不可用`;
      this.setData({ text, usable });
    },
    onToggle(event: { detail: { value: boolean } }): void {
      this.triggerEvent('change', { use: event.detail.value });
    },
  },
});
