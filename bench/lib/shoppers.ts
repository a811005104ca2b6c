// Benchmark set-up through the API (not measured): shoppers signed in with the fake WeChat's
// single-use codes, each with an address.

export type Shopper = { token: string; userId: string };

/** A set-up POST: any non-2xx answer stops the benchmark (set-up must not fail silently). */
export async function setupPost(baseUrl: string, path: string, body: unknown, token?: string, headers: Record<string, string> = {}): Promise<any> {
  const response = await fetch(baseUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify(body),
    // A set-up call that hangs must fail the run, not stall it.
    signal: AbortSignal.timeout(30_000),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`setup: POST ${path} → ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** `codePrefix` keeps the fake's openids apart between runs and benchmarks. */
export async function signInShoppers(baseUrl: string, count: number, codePrefix: string): Promise<Shopper[]> {
  const shoppers: Shopper[] = [];
  for (let i = 0; i < count; i++) {
    const session = await setupPost(baseUrl, '/auth/wechat', { code: `ok:${codePrefix}_${i}` });
    await setupPost(
      baseUrl,
      '/me/addresses',
      { recipient: `买家${i}`, phone: '13800138000', province: '上海市', city: '上海市', district: '浦东新区', detail: `世纪大道 ${i + 1} 号` },
      session.access_token,
    );
    shoppers.push({ token: session.access_token, userId: session.user.id });
  }
  return shoppers;
}
