/**
 * The key a remote address is counted under for per-client limits (connections, request
 * rate, read-only execution time). One host should get one key:
 * - an IPv4 address is its own key;
 * - an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`, how a dual-stack socket shows an IPv4
 *   peer) is the IPv4 address it maps;
 * - any other IPv6 address is keyed on its /64 prefix (`2001:db8:1:2::/64`): a host is
 *   routinely given a whole /64 and can pick a fresh address in it for every connection.
 * Anything that is not an IP address (an unknown peer) is its own key.
 *
 * Read-only execution is shared per client network instead (`clientNetwork`): an IPv4
 * address by its /24, so that a host holding many addresses of one network (a cloud
 * machine's, a loopback range) gets one network's share, not one per address.
 *
 * Behind a reverse proxy every request comes from the proxy's address. `clientAddress`
 * takes the client's from `X-Forwarded-For` only when the socket's peer is a configured
 * trusted proxy (`rpc.trustedProxies`); anyone else could write any address there.
 */
import { isIPv4, isIPv6 } from "node:net";

/** The per-client key of a socket's remote address. */
export function clientKey(remoteAddress: string): string {
  if (isIPv4(remoteAddress)) return remoteAddress;
  const zone = remoteAddress.indexOf("%");
  const address = zone < 0 ? remoteAddress : remoteAddress.slice(0, zone);
  if (!isIPv6(address)) return remoteAddress;
  const groups = ipv6Groups(address);
  // ::ffff:a.b.c.d: the first 80 bits zero, then 0xffff.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi, lo] = [groups[6] as number, groups[7] as number];
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(":")}::/64`;
}

/** The network a remote address is counted under for read-only execution: an IPv4 /24, an IPv6 /64. */
export function clientNetwork(remoteAddress: string): string {
  const key = clientKey(remoteAddress);
  if (!isIPv4(key)) return key; // an IPv6 /64 already, or not an IP address
  return `${key.slice(0, key.lastIndexOf("."))}.0/24`;
}

/**
 * The client's address: the socket's peer, or, when that peer is a trusted proxy, the last
 * address in `X-Forwarded-For` that is not itself a trusted proxy (each proxy appends the
 * address it was reached from; what comes before the last untrusted entry, the client may
 * have written). A header that is absent or holds no IP address leaves the proxy's address.
 */
export function clientAddress(
  socketAddress: string,
  forwardedFor: string | string[] | undefined,
  trustedProxies: ReadonlySet<string>,
): string {
  if (trustedProxies.size === 0 || !trustedProxies.has(hostOf(socketAddress))) return socketAddress;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? "");
  const hops = header.split(",").map((h) => h.trim());
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (!isIPv4(hop) && !isIPv6(hop)) return socketAddress; // a malformed chain: not trusted
    if (!trustedProxies.has(hostOf(hop))) return hop;
  }
  return socketAddress;
}

/** One host's address in one spelling (an IPv4-mapped IPv6 address as its IPv4 address), to compare. */
export function hostOf(address: string): string {
  const key = clientKey(address);
  if (isIPv4(key) || !isIPv6(address)) return key;
  return ipv6Groups(address)
    .map((g) => g.toString(16))
    .join(":");
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a dotted IPv4 tail read). */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = text.lastIndexOf(":");
  const tail = text.slice(dotted + 1);
  if (tail.includes(".")) {
    const [a, b, c, d] = tail.split(".").map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split("::") as [string, string | undefined];
  const part = (s: string | undefined) =>
    s === undefined || s === "" ? [] : s.split(":").map((g) => parseInt(g, 16));
  const left = part(head);
  if (rest === undefined) return left;
  const right = part(rest);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}
