// A countdown on the server's clock (see lib/countdown.ts). Ticks once a second while attached
// and fires "end" once when it reaches zero, so the page can reload the campaign or room.
import { remainingUntil, serverOffsetMs } from '../../lib/countdown';
import { defineComponent } from '../../lib/page';

const timers = new WeakMap<object, ReturnType<typeof setInterval>>();

export const countdown = defineComponent({
  properties: {
    target: { type: String, value: '' },
    serverTime: { type: String, value: '' },
    prefix: { type: String, value: '' },
  },
  data: { text: '', ended: false, offsetMs: 0 },
  observers: {
    'target, serverTime'() {
      this.restart();
    },
  },
  lifetimes: {
    attached() {
      this.restart();
    },
    detached() {
      this.stop();
    },
  },
  methods: {
    restart() {
      this.stop();
      if (!this.data.target) return;
      this.setData({ offsetMs: this.data.serverTime ? serverOffsetMs(this.data.serverTime) : 0, ended: false });
      if (this.tick())
        timers.set(
          this,
          setInterval(() => this.tick(), 1000),
        );
    },
    /** Shows the time left; false (and "end" fired) once it has run out. */
    tick(): boolean {
      const left = remainingUntil(this.data.target, this.data.offsetMs);
      this.setData({ text: left.text, ended: left.ended });
      if (!left.ended) return true;
      this.stop();
      this.triggerEvent('end');
      return false;
    },
    stop() {
      const timer = timers.get(this);
      if (timer !== undefined) clearInterval(timer);
      timers.delete(this);
    },
  },
});
