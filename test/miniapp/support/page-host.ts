// Runs a page or component definition of the mini-program the way WeChat does, minus rendering:
// its own copy of data, setData as a (JSON-copied) merge, methods called with `this` = instance,
// the attached lifetime run once mounted.
import type { Instance } from '../../../miniapp/miniprogram/lib/page';

type Definition<D, M> = { data: D; methods: M; properties?: Record<string, { value: unknown }>; lifetimes?: { attached?(): void; detached?(): void } };

export function mount<D extends object, M extends object>(definition: Definition<D, M>, properties: Record<string, unknown> = {}) {
  const defaults = Object.fromEntries(Object.entries(definition.properties ?? {}).map(([k, p]) => [k, p.value]));
  const events: { name: string; detail: unknown }[] = [];
  const instance = {
    data: JSON.parse(JSON.stringify({ ...defaults, ...definition.data, ...properties })) as D,
    setData(patch: Partial<D>) {
      // WeChat ignores keys whose value is undefined (JSON drops them too).
      this.data = { ...this.data, ...JSON.parse(JSON.stringify(patch)) };
    },
    triggerEvent(name: string, detail?: unknown) {
      events.push({ name, detail });
    },
    events,
    ...definition.methods,
  };
  const mounted = instance as unknown as Instance<D, M> & { events: typeof events };
  definition.lifetimes?.attached?.call(mounted);
  return mounted;
}

/** The query of a page url as WeChat passes it to onLoad. */
export function queryOf(url: string): Record<string, string> {
  const search = url.split('?')[1] ?? '';
  return Object.fromEntries(
    search
      .split('&')
      .filter(Boolean)
      .map((pair) => pair.split('=').map(decodeURIComponent) as [string, string]),
  );
}

/** A tap on an element with data-* attributes. */
export const tap = (dataset: Record<string, unknown>) => ({ currentTarget: { dataset } }) as unknown as WechatMiniprogram.BaseEvent;
