// Navigation as promises (tests await them; WeChat calls back when the page is on screen).
import { tabPages } from './routes';

const pathOf = (url: string) => url.split('?')[0] ?? url;

export function go(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const callbacks = { success: () => resolve(), fail: (err: { errMsg: string }) => reject(new Error(err.errMsg)) };
    if (tabPages.includes(pathOf(url))) wx.switchTab({ url: pathOf(url), ...callbacks });
    else wx.navigateTo({ url, ...callbacks });
  });
}

/** Replaces the current page (after checkout: the order page, so "back" does not pay twice). */
export function replace(url: string): Promise<void> {
  return new Promise((resolve, reject) => wx.redirectTo({ url, success: () => resolve(), fail: (err) => reject(new Error(err.errMsg)) }));
}

export function back(): void {
  wx.navigateBack({ delta: 1 });
}

/** wx.showModal as a promise: the confirmed text (for editable dialogs), or null when dismissed. */
export function confirmDialog(title: string, content: string, editable = false): Promise<string | null> {
  return new Promise((resolve) =>
    wx.showModal({
      title,
      content: editable ? '' : content,
      placeholderText: editable ? content : '',
      editable,
      success: (res) => resolve(res.confirm ? (res.content ?? '') : null),
      fail: () => resolve(null),
    }),
  );
}

export function toast(title: string): void {
  wx.showToast({ title, icon: 'none' });
}
