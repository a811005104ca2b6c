// Loading, empty and error states, the same on every page. Renders nothing once the page is ready.
import { defineComponent } from '../../lib/page';

export const stateView = defineComponent({
  properties: {
    status: { type: String, value: 'loading' },
    message: { type: String, value: '' },
    emptyText: { type: String, value: '这里还什么都没有' },
  },
  data: {},
  methods: {
    onRetry() {
      this.triggerEvent('retry');
    },
  },
});
