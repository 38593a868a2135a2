// What a request names, read before routing (RFC 9112 §3.2): its Host and its origin-form path.
// More than one Host header is a 400; an absolute-form target (`GET http://shop.example/x`)
// names the host itself (a Host header, if any, must name the same); the asterisk form (`OPTIONS *`)
// names no resource of any route. A refused request never reaches an endpoint, so it can
// neither be served by the wrong route nor count against a healthy endpoint.

export type RequestTarget = { host: string | undefined; path: string; rewritten: boolean } | { error: string };

const ABSOLUTE = /^https?:\/\//i;

/** Host and path of a request from its target (`req.url`) and raw header list; an error for a 400. */
export function requestTarget(url: string, raw: readonly string[]): RequestTarget {
  let host: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i]!;
    if (k.length !== 4 || k.toLowerCase() !== 'host') continue;
    if (host !== undefined) return { error: 'more than one Host header' };
    host = raw[i + 1];
  }
  if (url.charCodeAt(0) === 47 /* / */) return { host, path: url, rewritten: false };
  if (url === '*') return { error: 'the asterisk-form target (*) names no resource behind this gateway' };
  if (ABSOLUTE.test(url)) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return { error: `malformed absolute-form target ${JSON.stringify(url.slice(0, 200))}` };
    }
    if (!u.host || u.username || u.password) return { error: `absolute-form target ${JSON.stringify(url.slice(0, 200))} must name a host and no user info` };
    // A Host naming another authority is refused, as HAProxy does, rather than ignored: two
    // names for one request are how requests get routed past a rule written for one of them.
    if (host !== undefined && host.toLowerCase() !== u.host) return { error: `the Host header ${JSON.stringify(host.slice(0, 200))} does not match the target's authority ${JSON.stringify(u.host)}` };
    return { host: u.host, path: `${u.pathname}${u.search}`, rewritten: true };
  }
  return { error: `request target ${JSON.stringify(url.slice(0, 200))} is neither a path nor an absolute http(s) URL` };
}

/** Sets the Host header of a raw header list (the first one; appended when there is none). */
export function withHost(raw: string[], host: string): string[] {
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() !== 'host') continue;
    raw[i + 1] = host;
    return raw;
  }
  raw.push('Host', host);
  return raw;
}
