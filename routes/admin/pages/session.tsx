// Signing in and out of the admin page: the login form sets the session cookie, logout expires it.
import type { FC } from 'hono/jsx';
import { deleteCookie, setCookie } from 'hono/cookie';
import * as v from 'valibot';
import { ApiError, invalidInput } from '../../../src/lib/errors';
import { ADMIN_SESSION_COOKIE, loginMerchant, MERCHANT_TOKEN_TTL_SECONDS } from '../../../src/services/merchant-auth';
import { clientAddress, INTERNAL_CLIENT } from '../../../src/lib/client-address';
import { rateLimit } from '../../../src/lib/rate-limit';
import { loginBody } from '../schemas';
import { pageMessage } from './form-kit';
import { Layout, Notice } from './layout';
import { adminSection, render, sameOrigin, sessionCookie } from './section';

/** The login form's words for the ways a sign-in is refused. */
const loginRefusals = {
  400: '请输入用户名和密码。',
  // A wrong password and a disabled account are one 401 to the API; the page cannot tell them apart either.
  401: '用户名或密码不正确，或账号已停用。',
  429: '登录失败次数过多，请稍后再试。',
};

const LoginPage: FC<{ username?: string; error?: string }> = ({ username = '', error }) => (
  <Layout title="登录">
    {error && <Notice kind="error">{error}</Notice>}
    <form method="post" action="/admin/login">
      <label>
        用户名
        <input type="text" name="username" value={username} autocomplete="username" required />
      </label>
      <label>
        密码
        <input type="password" name="password" autocomplete="current-password" required />
      </label>
      <button type="submit">登录</button>
    </form>
  </Layout>
);

export const sessionPages = adminSection('页面')
  .get('/login', (c) => render(c, <LoginPage />))
  .post('/login', rateLimit('merchant_login'), sameOrigin, async (c) => {
    const form = await c.req.parseBody();
    const username = typeof form.username === 'string' ? form.username : '';
    try {
      const credentials = v.safeParse(loginBody, { username, password: form.password });
      if (!credentials.success) throw invalidInput([]);
      const client = clientAddress(c.req.header('CF-Connecting-IP')) ?? INTERNAL_CLIENT;
      const { token } = await loginMerchant(c.var.db, c.env, { ...credentials.output, client }, c.var.clock.now());
      setCookie(c, ADMIN_SESSION_COOKIE, token, { ...sessionCookie, maxAge: MERCHANT_TOKEN_TTL_SECONDS });
      return c.redirect('/admin/products', 303);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return render(c, <LoginPage username={username} error={pageMessage(error, '页面', loginRefusals)} />, error.status, error.headers);
    }
  })
  .post('/logout', sameOrigin, (c) => {
    deleteCookie(c, ADMIN_SESSION_COOKIE, sessionCookie);
    return c.redirect('/admin/login', 303);
  });
