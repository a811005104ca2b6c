// What every admin section's sub-app shares: rendering with the page's CSP, the session cookie and
// the role it needs, the same-origin check on every POST (the session is a cookie, so besides
// SameSite=Strict a POST must come from our own pages), times in the shop's zone, and the error
// page. A section is `adminSection(subject)` with its routes chained on.
import { errorFields, logEvent } from '../../../src/lib/log';
import { Hono, type Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import * as v from 'valibot';
import type { AppEnv } from '../../../src/env';
import { ApiError } from '../../../src/lib/errors';
import { pageQuery, validate } from '../../../src/lib/validate';
import { assertRole, type MerchantPrincipal } from '../../../src/services/merchant-auth';
import { merchantFromRequest } from '../../../src/http/auth';
import { pageMessage } from './form-kit';
import { ErrorPage } from './layout';

export const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
export const PAGE_SIZE = 20;

export type PageContext = Context<AppEnv>;

export function render(c: PageContext, page: HtmlEscapedString | Promise<HtmlEscapedString>, status: ContentfulStatusCode = 200, headers: Record<string, string> = {}) {
  c.header('Content-Security-Policy', CSP);
  // Pages show one merchant's view of live data: never store them anywhere.
  c.header('Cache-Control', 'no-store');
  return c.html(html`<!DOCTYPE html>${page}`, status, headers);
}

/**
 * Chromium keeps Secure cookies from http://localhost and http://127.0.0.1 (both count as secure
 * contexts), so the local worker can use the production cookie unchanged.
 */
export const sessionCookie = { httpOnly: true, secure: true, sameSite: 'Strict', path: '/admin' } as const;

/** The browser sends the session cookie with any request to /admin, so a POST must prove it comes from our own pages. */
export const sameOrigin = createMiddleware<AppEnv>(async (c, next) => {
  const source = c.req.header('Origin') ?? c.req.header('Referer');
  if (!source || originOf(source) !== new URL(c.req.url).origin) {
    throw new ApiError(403, 'foreign_origin', 'This form was not sent from this site.');
  }
  await next();
});

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null; // "null" (sandboxed or privacy-sensitive contexts) and garbage are never our origin
  }
}

/** The signed-in merchant, with at least the `needed` role; without a valid session, off to the login form. */
export const session = (needed: MerchantPrincipal['role']) =>
  createMiddleware<AppEnv>(async (c, next) => {
    let merchant: MerchantPrincipal;
    try {
      merchant = await merchantFromRequest(c, 'cookie');
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return c.redirect('/admin/login', 303);
      throw error;
    }
    assertRole(merchant, needed);
    c.set('merchant', merchant);
    await next();
  });

/** A time as merchants read it, in the shop's time zone: epoch ms or the API's ISO strings. */
export type FormatTime = (at: number | string | null) => string;

export function shopTime(c: PageContext, timeStyle: 'short' | 'medium' = 'short'): FormatTime {
  const format = new Intl.DateTimeFormat('zh-CN', { timeZone: c.env.SHOP_TIME_ZONE, dateStyle: 'short', timeStyle });
  return (at) => (at === null ? '' : format.format(typeof at === 'string' ? Date.parse(at) : at));
}

/** A list page's only query: the page cursor. */
export const cursorQuery = validate('query', v.object({ cursor: pageQuery.cursor }));

/** A detail page's query after a successful action: which notice to show (?done=). */
export const doneQuery = <N extends Record<string, string>>(notices: N) => validate('query', v.object({ done: v.optional(v.picklist(Object.keys(notices) as (keyof N & string)[])) }));

/** The link to the next page of a list, keeping its filters. */
export const nextPageHref = (path: string, cursor: string | null, filters: Record<string, string> = {}) => (cursor ? `${path}?${new URLSearchParams({ ...filters, cursor })}` : null);

export const merchantActor = (c: PageContext) => ({ type: 'merchant' as const, id: c.var.merchant.id });

/**
 * A section's sub-app. Its errors are pages, not JSON: the status of the error and a message in
 * Chinese; `subject` names what a 404 in this section did not find.
 */
export const adminSection = (subject: string) =>
  new Hono<AppEnv>().onError((error, c) => {
    if (!(error instanceof ApiError)) logEvent('error', 'admin page error', { method: c.req.method, path: c.req.path, error: errorFields(error) });
    const { status, headers } = error instanceof ApiError ? error : { status: 500 as const, headers: {} };
    return render(c, <ErrorPage message={pageMessage(error, subject)} merchant={c.get('merchant') as MerchantPrincipal | undefined} />, status, headers);
  });
