// A price from fen, with the crossed-out original when it is higher.
import { formatFen } from '../../lib/money';
import { defineComponent, formatsOn } from '../../lib/page';

export const price = defineComponent({
  properties: {
    fen: { type: Number, value: 0 },
    originalFen: { type: Number, value: 0 },
  },
  data: { text: '', originalText: '' },
  ...formatsOn('fen, originalFen'),
  methods: {
    format() {
      const { fen, originalFen } = this.data;
      this.setData({ text: formatFen(fen), originalText: originalFen > fen ? formatFen(originalFen) : '' });
    },
  },
});
