/**
 * Per-client keys of remote addresses: one host, one key. IPv4 stays as it is, an
 * IPv4-mapped IPv6 address becomes the IPv4 address, any other IPv6 address is keyed on its
 * /64 however it is written, and what is not an address is left alone. Read-only execution
 * counts networks (`clientNetwork`): an IPv4 /24, an IPv6 /64. `X-Forwarded-For` names the
 * client only when the socket's peer is a trusted proxy (`clientAddress`).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clientAddress, clientKey, clientNetwork } from "../../../src/node/rpc/clientKey.js";

describe("clientKey", () => {
  it("keeps IPv4 addresses apart", () => {
    assert.equal(clientKey("127.0.0.1"), "127.0.0.1");
    assert.equal(clientKey("203.0.113.7"), "203.0.113.7");
    assert.notEqual(clientKey("203.0.113.7"), clientKey("203.0.113.8"));
  });

  it("reads an IPv4-mapped IPv6 address as the IPv4 address", () => {
    assert.equal(clientKey("::ffff:1.2.3.4"), "1.2.3.4");
    assert.equal(clientKey("::FFFF:127.0.0.1"), "127.0.0.1");
    assert.equal(clientKey("::ffff:0102:0304"), "1.2.3.4");
    assert.equal(clientKey("0:0:0:0:0:ffff:c000:0201"), "192.0.2.1");
    // Not mapped: the IPv4-compatible form and a NAT64 prefix are IPv6 addresses.
    assert.equal(clientKey("::1.2.3.4"), "0:0:0:0::/64");
    assert.equal(clientKey("64:ff9b::1.2.3.4"), "64:ff9b:0:0::/64");
  });

  it("keys every address of one /64 alike, however written, and different /64s apart", () => {
    const host = clientKey("2001:db8:1:2::1");
    assert.equal(host, "2001:db8:1:2::/64");
    for (const other of [
      "2001:db8:1:2::2",
      "2001:db8:1:2:ffff:ffff:ffff:ffff",
      "2001:0DB8:0001:0002:abcd:0:0:1",
      "2001:db8:1:2:0:0:0:0",
      "2001:db8:1:2::1%eth0",
    ])
      assert.equal(clientKey(other), host, other);
    assert.equal(clientKey("2001:db8:1:3::1"), "2001:db8:1:3::/64");
    assert.equal(clientKey("::1"), "0:0:0:0::/64");
    assert.equal(clientKey("fe80::1%lo"), "fe80:0:0:0::/64");
    assert.equal(clientKey("2001:db8::"), "2001:db8:0:0::/64");
  });

  it("leaves what is not an IP address as it is", () => {
    assert.equal(clientKey("unknown"), "unknown");
    assert.equal(clientKey(""), "");
    assert.equal(clientKey("::ffff:999.1.1.1"), "::ffff:999.1.1.1");
  });

  it("counts read-only execution per network: an IPv4 /24 (mapped or not), an IPv6 /64", () => {
    for (const a of ["127.0.0.2", "127.0.0.9", "::ffff:127.0.0.200", "::FFFF:7f00:0001"])
      assert.equal(clientNetwork(a), "127.0.0.0/24", a);
    assert.equal(clientNetwork("127.1.0.1"), "127.1.0.0/24");
    assert.equal(clientNetwork("203.0.113.7"), "203.0.113.0/24");
    assert.notEqual(clientNetwork("203.0.113.7"), clientNetwork("203.0.114.7"));
    assert.equal(clientNetwork("2001:db8:1:2::1"), "2001:db8:1:2::/64");
    assert.equal(clientNetwork("2001:db8:1:2:ffff::9"), "2001:db8:1:2::/64");
    assert.equal(clientNetwork("::1"), "0:0:0:0::/64");
    assert.equal(clientNetwork("unknown"), "unknown");
  });

  it("takes the client from X-Forwarded-For only behind a trusted proxy", () => {
    const none = new Set<string>();
    const proxy = new Set(["10.0.0.5", "0:0:0:0:0:0:0:1"]); // as the server keeps them (hostOf)
    // Not configured, or not from the proxy: the header is the client's word, ignored.
    assert.equal(clientAddress("10.0.0.5", "198.51.100.7", none), "10.0.0.5");
    assert.equal(clientAddress("198.51.100.9", "198.51.100.7", proxy), "198.51.100.9");
    // From the proxy: the last address it appended, however the socket writes the proxy's address.
    assert.equal(clientAddress("10.0.0.5", "198.51.100.7", proxy), "198.51.100.7");
    assert.equal(clientAddress("::ffff:10.0.0.5", "198.51.100.7", proxy), "198.51.100.7");
    assert.equal(clientAddress("::1", "2001:db8::7", proxy), "2001:db8::7");
    // A client writing its own entries first: the proxy's appended one is what counts.
    assert.equal(clientAddress("10.0.0.5", "1.1.1.1, 2.2.2.2, 198.51.100.7", proxy), "198.51.100.7");
    assert.equal(clientAddress("10.0.0.5", ["1.1.1.1", "198.51.100.7"], proxy), "198.51.100.7");
    // Chained trusted proxies are skipped from the right.
    assert.equal(clientAddress("10.0.0.5", "198.51.100.7, 10.0.0.5", proxy), "198.51.100.7");
    // No header, or a malformed one: the proxy's own address.
    assert.equal(clientAddress("10.0.0.5", undefined, proxy), "10.0.0.5");
    assert.equal(clientAddress("10.0.0.5", "", proxy), "10.0.0.5");
    assert.equal(clientAddress("10.0.0.5", "1.1.1.1, not-an-ip", proxy), "10.0.0.5");
  });
});
