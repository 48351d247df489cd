/**
 * The seams between consensus and the rest of the node. Consensus knows nothing of libp2p,
 * blocks or the staking contract: it talks to them through these.
 */
import type { CommitCertificate } from "./certificate.js";
import type { DuplicateVoteEvidence } from "./evidence.js";
import type { Value } from "./types.js";
import type { ValidatorSet } from "./validatorSet.js";

/** How consensus messages travel (net-p2p's gossip topic, or an in-process network in tests). */
export interface ConsensusTransport {
  /** Sends an encoded message (`messageCodec.ts`) to every peer. */
  broadcast(message: Uint8Array): void;
  /** Calls `handler` with every message received and the peer it came from. */
  onMessage(handler: (message: Uint8Array, from: string) => void): void;
}

/** Who votes at a height: the staking contract's set for the height's epoch. */
export interface ValidatorSetSource {
  /** The set voting at `height` and the height its epoch started at (for proposer selection). */
  validatorSetAt(height: number): { readonly set: ValidatorSet; readonly startHeight: number };
}

/** What the application made of a value (`ConsensusApplication.judgeValue`). */
export type ValueJudgement = "valid" | "invalid" | "unjudged";

/** What consensus agrees on: the application (the node's block builder, executor and store). */
export interface ConsensusApplication {
  /**
   * getValue(): a block to propose at `height` on the committed head. `lastCommit` is the
   * certificate of `height - 1` with the precommits this node gathered after deciding it
   * (`lastCommit.ts`; null when it did not decide it itself): the block carries it.
   */
  proposeValue(height: number, round: number, lastCommit: CommitCertificate | null): Promise<Value>;
  /** valid(v): the value decodes, id(v) is its hash, and it re-executes to its state root. */
  validateValue(height: number, value: Value): Promise<boolean>;
  /**
   * valid(v) with whose fault a refusal is: "invalid" when the value itself does not hold (it
   * does not decode, names another hash or parent, or re-executes to another header: a
   * decision carrying it, with a certificate that holds, is a forgery of its sender's), or
   * "unjudged" when this node could not judge it (its clock behind the block's time, its own
   * store): not remembered, no one blamed. Without it, `validateValue`'s false is "invalid".
   */
  judgeValue?(height: number, value: Value): Promise<ValueJudgement>;
  /** Commits the decided value; the next height starts once this resolves. */
  commit(height: number, value: Value, certificate: CommitCertificate): Promise<void>;
  /** Double signing seen by this node (to include in a block, for slashing). */
  reportEvidence(evidence: DuplicateVoteEvidence): void;
}

/** Timers, so tests can run consensus on a virtual clock. */
export interface ConsensusClock {
  schedule(delayMs: number, fire: () => void): void;
}
