// Who is calling, for rate limits and login lockouts: the CF-Connecting-IP header that Cloudflare's
// edge sets on every request from the internet (a client cannot set or override it there; locally,
// `wrangler dev` sets it from the socket). X-Forwarded-For is never read: anyone can write it.

/** A request that reached the worker without CF-Connecting-IP: not from the internet (see clientAddress). */
export const INTERNAL_CLIENT = 'internal';

const ipv4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const ipv6 = /^[0-9a-f:.]{2,45}$/i;

/**
 * The client a request counts against: an IPv4 address, or an IPv6 address's /64 (one subscriber
 * usually holds a whole /64, so counting single IPv6 addresses would let one client rotate through
 * 2^64 of them). Undefined when the header is absent: only a request from inside Cloudflare (a
 * service binding, a test's in-process request) arrives without it, and such callers are trusted.
 * A header that is not an address (it never is from Cloudflare) shares one bucket, "malformed".
 */
export function clientAddress(connectingIp: string | undefined): string | undefined {
  if (connectingIp === undefined) return undefined;
  const ip = connectingIp.trim();
  if (ipv4.test(ip)) return ip;
  if (ipv6.test(ip)) {
    const prefix = ipv6Prefix64(ip.toLowerCase());
    if (prefix) return prefix;
  }
  return 'malformed';
}

/** "2001:db8:0:1:…" → "2001:db8:0:1::/64"; undefined when the text is no IPv6 address. */
function ipv6Prefix64(ip: string): string | undefined {
  const halves = ip.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string | undefined) => (part ? part.split(':') : []);
  const head = groupsOf(halves[0]);
  const tail = groupsOf(halves[1]);
  // An embedded IPv4 tail (::ffff:1.2.3.4) takes the place of two groups.
  const tailGroups = tail.length > 0 && tail[tail.length - 1]!.includes('.') ? tail.length + 1 : tail.length;
  const missing = 8 - head.length - tailGroups;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  const first4 = groups.slice(0, 4);
  if (!first4.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return `${first4.map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
