/**
 * What the driver (and the node's gossip validator) checks of a consensus message before the
 * state machine may count it: its sender is a member of the height's set and the signature
 * is that member's over the message's signing bytes (`signingBytes.ts`). Decoding has
 * already checked its shape (`messageCodec.ts`).
 */
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
  if (!verifySignature(set.key(index), bytes, signature)) {
    return new ConsensusError("BAD_SIGNATURE", `${m.kind} signature does not verify for validator ${index}`);
  }
  return null;
}
