/**
 * A validator's own messages at the current height, kept to send again: gossip does not
 * repeat a message to a peer that missed it (a partition, a restart), so the driver sends its
 * latest few again every `rebroadcastMs`, in bundles with a fresh nonce (gossip drops bytes
 * it has seen, so the originals would reach nobody). With them go the prevotes that justify
 * its latest proposal with a POL round (Algorithm 1, line 28: a peer that missed the polka
 * needs them to accept the proposal).
 */
import { encodeBundle, MAX_BUNDLE_MESSAGES } from "./messageCodec.js";

const KEPT = 6;

export class OwnMessages {
  private own: Uint8Array[] = [];
  private pol: Uint8Array[] = [];
  private nonce = BigInt(Date.now()) * 1000n;

  /** A fresh nonce, so that bytes made with it are new to gossip. */
  nextNonce(): bigint {
    return this.nonce++;
  }

  /** Keeps `bytes`, one of this validator's messages, among the latest few. */
  keep(bytes: Uint8Array): void {
    this.own.push(bytes);
    if (this.own.length > KEPT) this.own.shift();
  }

  /** The prevotes of the polka behind this validator's latest proposal. */
  keepPol(prevotes: Uint8Array[]): void {
    this.pol = prevotes;
  }

  /** A new height: nothing of the last one is sent again. */
  clear(): void {
    this.own = [];
    this.pol = [];
  }

  /** Everything kept, in fresh bundles. */
  bundles(): Uint8Array[] {
    const messages = [...this.own, ...this.pol];
    const out: Uint8Array[] = [];
    for (let i = 0; i < messages.length; i += MAX_BUNDLE_MESSAGES) {
      out.push(encodeBundle(messages.slice(i, i + MAX_BUNDLE_MESSAGES), this.nextNonce()));
    }
    return out;
  }
}
