/**
 * Double-sign evidence on the chain's evidence topic (`/weft/<chainId>/evidence/1`): a
 * validator that sees two conflicting votes publishes the evidence; every node judges what
 * it receives before gossip forwards it (`judgeEvidence`), so only evidence that holds
 * travels, once (the pool's seen set and gossipsub's message ids), and a peer that sends
 * anything else pays for it:
 *
 *   over 1 KiB                                → reject (gossip.ts), OVERSIZED_GOSSIP
 *   does not decode, forged, unknown validator → reject, INVALID_GOSSIP
 *   received before, expired, validator punished already → reject, STALE_GOSSIP
 *   of a height this node has not reached     → ignore (its set is not known yet)
 *   new, or against a validator already held  → accept (held for the next block) / ignore
 */
import { EvidenceError } from "../../chain/staking/evidence.js";
import { ConsensusDecodeError } from "../../consensus/errors.js";
import { type DuplicateVoteEvidence, decodeEvidence } from "../../consensus/evidence.js";
import type { Verdict } from "../../net/gossip.js";
import { PENALTY } from "../../net/peerScore.js";
import type { EvidencePool } from "./evidencePool.js";

const STALE = new Set<EvidenceError["code"]>(["DUPLICATE", "EXPIRED", "ALREADY_PUNISHED"]);

/** The block height evidence of height `h` is judged for, seen while consensus is at `current`. */
export function judgedHeight(evidence: DuplicateVoteEvidence, current: number): number {
  return Math.max(current, evidence.first.height + 1);
}

/** Judges evidence from gossip while consensus is at height `current`; holds it in `pool` when it is good. */
export function judgeEvidence(bytes: Uint8Array, pool: EvidencePool, current: number): Verdict {
  let evidence: DuplicateVoteEvidence;
  try {
    evidence = decodeEvidence(bytes);
  } catch (e) {
    if (e instanceof ConsensusDecodeError)
      return { reject: `MALFORMED: evidence: ${e.message}`, points: PENALTY.INVALID_GOSSIP };
    throw e;
  }
  if (evidence.first.height > current) return "ignore";
  try {
    return pool.add(evidence, judgedHeight(evidence, current)) === "added" ? "accept" : "ignore";
  } catch (e) {
    if (!(e instanceof EvidenceError)) throw e;
    return { reject: e.message, points: STALE.has(e.code) ? PENALTY.STALE_GOSSIP : PENALTY.INVALID_GOSSIP };
  }
}
