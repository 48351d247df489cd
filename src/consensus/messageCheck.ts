/**
 * What the driver (and the node's gossip validator) checks of a consensus message before the
 * state machine may count it: its sender is a member of the height's set and the signature
 * is that member's over the message's signing bytes (`signingBytes.ts`). Decoding has
 * already checked its shape (`messageCodec.ts`).
 *
 * Signatures that verified are remembered (`VERIFIED_CACHE_SIZE` of them, by a digest of key,
 * bytes and signature): a bundle's nonce makes old signed votes new bytes for gossip, so a
 * peer could replay them at its full rate, each bundle costing every node 8 pairings in the
 * gossip judge and 8 more in the driver (about 1 ms each); a replay now costs a hash.
 */
import { toHex } from "../codec/bytes.js";
import { sha256 } from "../codec/hash.js";
import { verifySignature } from "./bls.js";
import { ConsensusError } from "./errors.js";
import { proposalSigningBytes, voteSigningBytes } from "./signingBytes.js";
import type { ConsensusMessage } from "./types.js";
import type { ValidatorSet } from "./validatorSet.js";

/** The height a proposal or vote is for. */
export function messageHeight(m: ConsensusMessage): number {
  return m.kind === "proposal" ? m.proposal.height : m.vote.height;
}

/** Null when `m` is signed by its sender, a member of `set`; otherwise the error to hold against whoever sent it. */
export function checkMessage(chainId: string, m: ConsensusMessage, set: ValidatorSet): ConsensusError | null {
  const index = m.kind === "proposal" ? m.proposal.proposer : m.vote.validator;
  if (index >= set.size) {
    return new ConsensusError(
      "UNKNOWN_VALIDATOR",
      `message from validator ${index}, outside the set of ${set.size}`,
    );
  }
  const bytes =
    m.kind === "proposal" ? proposalSigningBytes(chainId, m.proposal) : voteSigningBytes(chainId, m.vote);
  const signature = m.kind === "proposal" ? m.proposal.signature : m.vote.signature;
  const key = set.key(index);
  const digest = toHex(sha256(concat(set.entry(index).publicKey, bytes, signature)));
  if (verified.has(digest)) return null;
  pairingChecks++;
  if (!verifySignature(key, bytes, signature)) {
    return new ConsensusError("BAD_SIGNATURE", `${m.kind} signature does not verify for validator ${index}`);
  }
  if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value as string);
  verified.add(digest);
  return null;
}

/** Signatures remembered as verified (the oldest forgotten first). */
export const VERIFIED_CACHE_SIZE = 16_384;
const verified = new Set<string>();
let pairingChecks = 0;

/** How many signatures `checkMessage` has verified with a pairing (not from its cache), for tests. */
export function signatureChecks(): number {
  return pairingChecks;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length + 4, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const p of parts) {
    view.setUint32(at, p.length);
    out.set(p, at + 4);
    at += p.length + 4;
  }
  return out;
}
