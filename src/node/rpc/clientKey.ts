/**
 * The key a remote address is counted under for per-client limits (connections, request
 * rate, read-only execution time). One host should get one key:
 * - an IPv4 address is its own key;
 * - an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`, how a dual-stack socket shows an IPv4
 *   peer) is the IPv4 address it maps;
 * - any other IPv6 address is keyed on its /64 prefix (`2001:db8:1:2::/64`): a host is
 *   routinely given a whole /64 and can pick a fresh address in it for every connection.
 * Anything that is not an IP address (an unknown peer) is its own key.
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
