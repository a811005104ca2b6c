// Search: suggestions (matching titles) while the shopper types, results on confirm, and the
// last searches kept on the phone.
import { catalogApi } from '../../lib/api';
import type { ProductCard } from '../../lib/api-types';
import { datasetOf, definePage, emptyList, loadInto, loadMore } from '../../lib/page';

const HISTORY_KEY = 'edge-mall.search-history';
const HISTORY_SIZE = 10;
/** The API refuses longer queries (src/domain/search.ts). */
export const MAX_QUERY_LENGTH = 40;
const SUGGESTIONS = 8;
const SUGGEST_DELAY_MS = 250;

let suggestTimer: ReturnType<typeof setTimeout> | undefined;
/** Answers to earlier keystrokes may arrive after later ones: only the latest is shown. */
let suggestSequence = 0;

const storedHistory = (): string[] => {
  const stored: unknown = wx.getStorageSync(HISTORY_KEY);
  return Array.isArray(stored) ? stored.filter((s): s is string => typeof s === 'string') : [];
};

export const searchPage = definePage({
  data: {
    keyword: '',
    suggestions: [] as string[],
    history: [] as string[],
    // Idle until the first search: no state-view, the history shows instead.
    status: 'idle' as 'idle' | 'loading' | 'ready' | 'empty' | 'error',
    errorMessage: '',
    products: [] as ProductCard[],
    nextCursor: null as string | null,
    loadingMore: false,
  },
  methods: {
    onLoad(query: Record<string, string | undefined>): Promise<boolean> | undefined {
      this.setData({ history: storedHistory() });
      return query.q ? this.search(query.q) : undefined;
    },
    onInput(event: WechatMiniprogram.Input): void {
      const keyword = event.detail.value.slice(0, MAX_QUERY_LENGTH);
      this.setData({ keyword });
      if (suggestTimer !== undefined) clearTimeout(suggestTimer);
      suggestTimer = setTimeout(() => void this.suggest(keyword), SUGGEST_DELAY_MS);
    },
    async suggest(keyword: string): Promise<void> {
      const sequence = ++suggestSequence;
      if (!keyword.trim()) return void this.setData({ suggestions: [] });
      try {
        const { items } = await catalogApi.search(keyword.trim());
        if (sequence === suggestSequence) this.setData({ suggestions: [...new Set(items.map((p) => p.title))].slice(0, SUGGESTIONS) });
      } catch {
        // Suggestions are a convenience; the search itself reports errors.
        if (sequence === suggestSequence) this.setData({ suggestions: [] });
      }
    },
    onConfirm(): Promise<boolean> {
      return this.search(this.data.keyword);
    },
    onTapSuggestion(event: WechatMiniprogram.BaseEvent): Promise<boolean> {
      return this.search(datasetOf(event, 'text'));
    },
    onRetry(): Promise<boolean> {
      return this.search(this.data.keyword);
    },
    onClearHistory(): void {
      wx.removeStorageSync(HISTORY_KEY);
      this.setData({ history: [] });
    },
    search(raw: string): Promise<boolean> {
      const keyword = raw.trim().slice(0, MAX_QUERY_LENGTH);
      if (!keyword) return Promise.resolve(false);
      ++suggestSequence;
      const history = [keyword, ...this.data.history.filter((h) => h !== keyword)].slice(0, HISTORY_SIZE);
      wx.setStorageSync(HISTORY_KEY, history);
      this.setData({ keyword, suggestions: [], history });
      return loadInto(
        this,
        async () => {
          const page = await catalogApi.search(keyword);
          return { products: page.items, nextCursor: page.next_cursor };
        },
        emptyList('products'),
      );
    },
    onReachBottom(): Promise<void> {
      return loadMore(
        this,
        (cursor) => catalogApi.search(this.data.keyword, cursor),
        (items) => this.setData({ products: [...this.data.products, ...items] }),
      );
    },
  },
});
