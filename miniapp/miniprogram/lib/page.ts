// Pages and components are plain definition objects (page.ts / component.ts beside each
// index.ts), registered with Component() by a one-line entry. Plain objects can be loaded by
// miniprogram-simulate in unit tests and driven directly by the end-to-end tests against the
// worker; Component()-constructed pages are how WeChat recommends writing testable pages (page
// lifecycles such as onLoad and onShareAppMessage live in methods).
import { messageOf } from './errors';

export type LoadStatus = 'loading' | 'ready' | 'empty' | 'error';

/** Every page has these: the state-view component renders loading, empty and error from them. */
export type PageState = { status: LoadStatus; errorMessage: string };
export const loadingState: PageState = { status: 'loading', errorMessage: '' };

// biome-ignore lint/suspicious/noExplicitAny: a page's methods take and return whatever WeChat's event handlers do.
type Methods = Record<string, (...args: any[]) => any>;

export type Instance<D, M> = { data: D; setData(patch: Partial<D>, callback?: () => void): void } & M;

export type PageDefinition<D extends object, M extends Methods> = {
  data: D;
  methods: M;
  lifetimes?: { detached?(): void };
} & ThisType<Instance<D, M>>;

export function definePage<D extends object, M extends Methods>(definition: PageDefinition<D, M>): PageDefinition<D, M> {
  return definition;
}

export type ComponentInstance<D, P, M> = Instance<D & P, M> & { triggerEvent(name: string, detail?: object): void };

type PropertyType = StringConstructor | NumberConstructor | BooleanConstructor | ObjectConstructor | ArrayConstructor;

export type ComponentDefinition<D extends object, P extends object, M extends Methods> = {
  properties: { [K in keyof P]: { type: PropertyType; value: P[K] } };
  data: D;
  // biome-ignore lint/suspicious/noExplicitAny: an observer receives the observed fields' values, of any type.
  observers?: Record<string, (...values: any[]) => void>;
  lifetimes?: { attached?(): void; detached?(): void };
  methods: M;
} & ThisType<ComponentInstance<D, P, M>>;

export function defineComponent<D extends object, P extends object, M extends Methods>(definition: ComponentDefinition<D, P, M>): ComponentDefinition<D, P, M> {
  return definition;
}

/**
 * For a component whose view is derived from its properties: its `format` runs once attached and
 * again whenever one of `fields` (WeChat's observer syntax, "a, b") changes.
 */
export function formatsOn(fields: string) {
  const format = function (this: { format(): void }) {
    this.format();
  };
  return { observers: { [fields]: format }, lifetimes: { attached: format } };
}

/** Registers a definition with WeChat. Its types are ours, not the typings' overloads, hence one cast here. */
export function register(definition: object): void {
  // biome-ignore lint/complexity/noBannedTypes: the typings' Options take {} for "no data, properties, methods".
  Component(definition as WechatMiniprogram.Component.Options<{}, {}, {}, []>);
}

type Loadable = { status: string; errorMessage: string };

/**
 * A page's load: loading state first, then its data with ready (or empty), or the error's
 * readable message. Resolves either way, so lifecycles can be awaited by tests.
 */
export async function loadInto<D extends Loadable>(
  page: { setData(patch: Partial<D>): void },
  task: () => Promise<Partial<D>>,
  isEmpty: (loaded: Partial<D>) => boolean = () => false,
): Promise<boolean> {
  page.setData({ status: 'loading', errorMessage: '' } as Partial<D>);
  try {
    const loaded = await task();
    page.setData({ ...loaded, status: isEmpty(loaded) ? 'empty' : 'ready' });
    return true;
  } catch (error) {
    page.setData({ status: 'error', errorMessage: messageOf(error) } as Partial<D>);
    return false;
  }
}

/** Runs a shopper's action (add to cart, pay…) and shows its failure as a toast; true on success. */
export async function act(task: () => Promise<unknown>): Promise<boolean> {
  try {
    await task();
    return true;
  } catch (error) {
    wx.showToast({ title: messageOf(error), icon: 'none' });
    return false;
  }
}

/** The value of a tap's data-* attribute (dataset names arrive lower-cased by WeChat). */
export function datasetOf(event: { currentTarget: { dataset: Record<string, unknown> } }, name: string): string {
  return String(event.currentTarget.dataset[name] ?? '');
}

type Paged<T> = { items: T[]; next_cursor: string | null };
type PagedPage = { data: { nextCursor: string | null; loadingMore: boolean }; setData(patch: { nextCursor?: string | null; loadingMore?: boolean }): void };

/** The next page of a cursor list (onReachBottom): one fetch at a time, nothing after the last page. */
export async function loadMore<T>(page: PagedPage, fetch: (cursor: string) => Promise<Paged<T>>, append: (items: T[]) => void): Promise<void> {
  const cursor = page.data.nextCursor;
  if (!cursor || page.data.loadingMore) return;
  page.setData({ loadingMore: true });
  await act(async () => {
    const next = await fetch(cursor);
    append(next.items);
    page.setData({ nextCursor: next.next_cursor });
  });
  page.setData({ loadingMore: false });
}

type Reloadable = { load(): Promise<boolean> };

/** The state-view's retry button reloads the page (every mixin below includes it). */
const retries = {
  onRetry(this: Reloadable): Promise<boolean> {
    return this.load();
  },
};

/** Pages that load once, when opened. */
export const loadsOnce = {
  ...retries,
  onLoad(this: Reloadable): Promise<boolean> {
    return this.load();
  },
};

/** Pages opened with ?id=…: keep the id, then load. */
export const loadsById = {
  ...retries,
  onLoad(this: Reloadable & { setData(patch: { id: string }): void }, query: Record<string, string | undefined>): Promise<boolean> {
    this.setData({ id: query.id ?? '' });
    return this.load();
  },
};

/** Pages whose data changes elsewhere (cart, orders, addresses) load each time they are shown. */
export const loadsOnShow = {
  ...retries,
  onShow(this: Reloadable): Promise<boolean> {
    return this.load();
  },
};

/** "Empty" for a page whose content is one list. */
export const emptyList =
  <K extends string>(key: K) =>
  (loaded: Partial<Record<K, unknown>>): boolean =>
    ((loaded[key] as unknown[] | undefined) ?? []).length === 0;
