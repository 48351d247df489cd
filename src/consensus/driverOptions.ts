/**
 * What a `ConsensusDriver` (`driver.ts`) is given (its network, clock, validator sets,
 * application, key and bounds) and what it reports: its status, and what it did with a
 * decision offered to it.
 */
import type { Decision } from "./decisionSync.js";
import type {
  ConsensusApplication,
  ConsensusClock,
  ConsensusTransport,
  ValidatorSetSource,
} from "./interfaces.js";
import type { MachineStatus } from "./stateMachine.js";
import type { TimeoutConfig } from "./timeouts.js";
import type { ValidatorKeys } from "./validatorSigner.js";

export interface DriverOptions {
  readonly chainId: string;
  readonly transport: ConsensusTransport;
  readonly clock: ConsensusClock;
  readonly validators: ValidatorSetSource;
  readonly app: ConsensusApplication;
  /** This validator's key and guard; absent for a node that follows without voting. */
  readonly validator?: ValidatorKeys;
  readonly timeouts?: TimeoutConfig;
  readonly maxValueBytes?: number;
  /** Messages kept for heights not started yet (at most 2 ahead). */
  readonly maxBufferedMessages?: number;
  /**
   * Bytes kept for heights not started yet (default `DEFAULT_MAX_BUFFERED_BYTES`, `futureMessages.ts`): their
   * signatures are checked only once the height starts, so without a byte bound a peer
   * could park 10,000 proposals of 4 MiB each (40 GB) here.
   */
  readonly maxBufferedBytes?: number;
  /**
   * Every this many ms, send this validator's own messages of the current height again, as
   * gossip does for peers that missed them (a partition, a restart). 0 turns it off.
   */
  readonly rebroadcastMs?: number;
  /**
   * After a decision, wait this long before starting the next height (Tendermint's
   * timeout_commit): the chain makes one block per interval, empty or not. Default 0.
   */
  readonly commitWaitMs?: number;
  /** A peer sent something invalid (for peer scoring). */
  readonly onInvalid?: (from: string, error: Error) => void;
  /** A height was committed. */
  readonly onCommit?: (height: number, round: number) => void;
  /** A message for `height`, above the current height, arrived: this node may be behind. */
  readonly onAhead?: (height: number) => void;
  /**
   * The decision this node committed at a height, from its store: peers behind are answered
   * with it once the recent decisions kept in memory do not reach back (after a restart, the
   * cache is empty; without the store, validators restarted on both sides of a decision wait
   * for each other forever).
   */
  readonly committed?: (height: number) => Decision | undefined;
  /**
   * How many heights behind a peer may be and still be answered with a decision (default
   * `KEPT_DECISIONS`, 64). A node whose peers catch up by block sync answers only the heights
   * its gossip still delivers (2, `consensusJudge.ts`): each answer is a whole block sent to
   * every gossip peer, and a vote of any old height, even unsigned, inside a bundle with one
   * new message was enough to make this node send the stored block of that height, once per
   * height per rebroadcast tick: a few thousand old heights in one bundle, every 2 s.
   */
  readonly answerHeights?: number;
}

export interface DriverStatus {
  /** The height being decided. */
  readonly height: number;
  /** Whether the machine runs there (false during the wait after a commit). */
  readonly started: boolean;
  readonly machine: MachineStatus | null;
  /** Messages kept for the next heights. */
  readonly buffered: number;
  /** Their bytes. */
  readonly bufferedBytes: number;
  /** Tasks in the driver's queue, the running one included. */
  readonly queued: number;
}

/** What `syncDecision` did with a decision: committed it, or why not. */
export type SyncOutcome = "committed" | "stale" | "ahead" | "refused";
/**
 * What `offerDecision` did: as `SyncOutcome`, but "refused" only when the decision is at fault
 * (its certificate, or its value's bytes), and "unjudged" when this node could not judge them.
 */
export type DecisionOutcome = SyncOutcome | "unjudged";
