/**
 * Peers only (`weft node --peers-only on`): the node talks to its configured `--peers` and
 * to nobody else, at no other address. A validator behind sentry nodes runs this way (only
 * its sentries know it), and so does a node whose links are the network's only paths (the
 * e2e suite's cuttable proxies: without the rule, a node dials a peer by id at the direct
 * address identify taught it, around the link).
 *
 * Three rules, checked by libp2p's connection gater:
 * - dial only the configured addresses (transport part, `/p2p/<id>` aside): an address a peer
 *   announced, or that peer exchange offered, is never dialled;
 * - dial only configured peer ids;
 * - accept an encrypted connection (inbound or outbound) only from a configured peer id.
 */
import type { Multiaddr } from "@multiformats/multiaddr";
import { multiaddr } from "@multiformats/multiaddr";

export class PeerAllowlist {
  private readonly peers = new Set<string>();
  private readonly addresses = new Set<string>();

  /** `peers`: multiaddrs ending in `/p2p/<peer id>` (as `--peers` takes them). */
  constructor(peers: readonly string[]) {
    for (const text of peers) {
      const address = multiaddr(text);
      const id = address.getPeerId();
      if (id !== null) this.peers.add(id);
      this.addresses.add(transportPart(address));
    }
  }

  allowsPeer(peer: string): boolean {
    return this.peers.has(peer);
  }

  /** Whether `address` is a configured one (its peer id, if it names one, configured too). */
  allowsAddress(address: Multiaddr): boolean {
    const id = address.getPeerId();
    if (id !== null && !this.peers.has(id)) return false;
    return this.addresses.has(transportPart(address));
  }
}

/** The address without its `/p2p/<peer id>` part, e.g. `/ip4/127.0.0.1/tcp/4001`. */
function transportPart(address: Multiaddr): string {
  const id = address.getPeerId();
  return (id === null ? address : address.decapsulate(`/p2p/${id}`)).toString();
}
