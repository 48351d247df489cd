/**
 * What a node does with a consensus gossip message before gossip forwards it (`net/gossip.ts`
 * runs this first; only "accept" is delivered and forwarded):
 *
 *   does not decode                          → reject (10 points off the forwarder)
 *   a vote or proposal 3+ heights below ours → ignore: old, no one needs it forwarded (a peer that
 *                                              far behind catches up by block sync), no penalty
 *   more than 2 heights above ours           → ignore (its set may be unknown yet); block sync is told
 *   a signature that is not its validator's  → reject (for a height whose set this node knows)
 *   a message this node already holds        → ignore, no penalty
 *   otherwise                                → accept
 *
 * A bundle (several messages and a nonce, `encodeBundle`) is judged by its parts: rejected if
 * one part is, accepted if at least one part is new and valid, ignored when every part is old or
 * already held. The nonce makes each bundle new bytes to gossip's seen cache (so a validator's
 * periodic rebroadcast is not dropped as a repeat), which also let any peer replay an honest
 * validator's signed messages in fresh bundles at its full rate: every node accepted them again
 * and forwarded them, so a hostile peer could push an honest node's forwarding over its
 * neighbours' message rate (200/s) and get it banned. Holding which messages it has accepted
 * (`KNOWN_MESSAGES`, by SHA-256 of each message's bytes; a decision by height, block hash and
 * certificate) lets a node forward each signed message at most once whatever bundle carries it:
 * a replay costs a hash and goes no further.
 *
 * A decision (a height's value and certificate, sent to a peer behind) is forwarded when its
 * certificate holds for the height's set and it is new here; older than 2 heights below ours or
 * above our next height it is ignored.
 */
import { toHex } from "../../codec/bytes.js";
import { sha256 } from "../../codec/hash.js";
import { encodeCertificate, verifyCertificate } from "../../consensus/certificate.js";
import { type Decision, decodeDecision } from "../../consensus/decisionSync.js";
import type { ValidatorSetSource } from "../../consensus/interfaces.js";
import { checkMessage, messageHeight } from "../../consensus/messageCheck.js";
import { decodeBundle, decodeMessage } from "../../consensus/messageCodec.js";
import type { ValidatorSet } from "../../consensus/validatorSet.js";
import { Writer } from "../../consensus/wire.js";
import type { Verdict } from "../../net/gossip.js";

/** Messages (and decisions) remembered as held, the oldest forgotten first. */
export const KNOWN_MESSAGES = 16_384;
/** Votes and proposals more than this many heights below the node's are ignored. */
export const OLD_HEIGHTS = 2;
/** Votes and proposals more than this many heights above the node's are ignored (not checked). */
export const FUTURE_HEIGHTS = 2;

export interface ConsensusJudgeOptions {
  chainId: string;
  validators: ValidatorSetSource;
  /** The height consensus is deciding. */
  consensusHeight(): number;
  /** The committed head's number. */
  headNumber(): number;
  maxValueBytes: number;
  /**
   * Whether consensus takes messages yet: before it starts, the driver drops what it is given,
   * so nothing is held then (a later rebroadcast of it must still be accepted). Default: yes.
   */
  ready?(): boolean;
  /** A message for a height above ours arrived (block sync may be due): `checked` when it verified. */
  onAhead?(height: number, checked: boolean): void;
}

export interface ConsensusJudge {
  /** The verdict on a gossip message; an accepted message's parts are held from then on. */
  judge(bytes: Uint8Array): Verdict;
  /** This node's own message (sent, so held): a peer replaying it back is not forwarded either. */
  remember(bytes: Uint8Array): void;
  /** How many messages are held (at most `KNOWN_MESSAGES`), for tests. */
  readonly known: number;
}

type Part = { verdict: Verdict; key?: string };

export function createConsensusJudge(options: ConsensusJudgeOptions): ConsensusJudge {
  const { chainId, validators, maxValueBytes } = options;
  const known = new Set<string>();
  const hold = (key: string) => {
    if (known.has(key)) return;
    if (known.size >= KNOWN_MESSAGES) known.delete(known.values().next().value as string);
    known.add(key);
  };
  const setAt = (height: number): ValidatorSet | undefined => {
    try {
      return validators.validatorSetAt(height).set;
    } catch {
      return undefined;
    }
  };
  const judgeOne = (bytes: Uint8Array): Part => {
    let m: ReturnType<typeof decodeMessage>;
    try {
      m = decodeMessage(bytes, { maxValueBytes });
    } catch (e) {
      return { verdict: { reject: `consensus message: ${(e as Error).message}`, points: 10 } };
    }
    const height = messageHeight(m);
    const current = options.consensusHeight();
    if (height < current - OLD_HEIGHTS) return { verdict: "ignore" };
    if (height > current) options.onAhead?.(height, false);
    if (height > current + FUTURE_HEIGHTS) return { verdict: "ignore" };
    const key = `m${toHex(sha256(bytes))}`;
    if (known.has(key)) return { verdict: "ignore" };
    const set = setAt(height);
    if (set === undefined) {
      // A next height whose set is not known yet (an epoch's first): the driver checks it then.
      // Otherwise too old for the sets this node still reads.
      return height > current ? { verdict: "accept", key } : { verdict: "ignore" };
    }
    const error = checkMessage(chainId, m, set);
    if (error !== null) return { verdict: { reject: `consensus message: ${error.message}`, points: 10 } };
    if (height > current) options.onAhead?.(height, true);
    return { verdict: "accept", key };
  };
  const judgeDecision = (d: Decision): Part => {
    const head = options.headNumber();
    if (d.height > head + 1) options.onAhead?.(d.height, false);
    if (d.height > head + 1 || d.height < options.consensusHeight() - OLD_HEIGHTS)
      return { verdict: "ignore" };
    const key = decisionKey(d);
    if (known.has(key)) return { verdict: "ignore" };
    const set = setAt(d.height);
    if (set === undefined) return { verdict: "ignore" };
    try {
      verifyCertificate(d.certificate, set, chainId, { height: d.height, blockHash: d.value.hash });
    } catch (e) {
      return { verdict: { reject: `consensus decision: ${(e as Error).message}`, points: 10 } };
    }
    // Block d.height exists: the network decides d.height + 1 at least.
    options.onAhead?.(d.height + 1, true);
    return { verdict: "accept", key };
  };
  /** The parts of `bytes` judged; throws a decode error for a malformed bundle or decision. */
  const parts = (bytes: Uint8Array): Part[] => {
    const decision = decodeDecision(bytes, { maxValueBytes });
    if (decision !== null) return [judgeDecision(decision)];
    const bundle = decodeBundle(bytes, { maxValueBytes });
    return bundle === null ? [judgeOne(bytes)] : bundle.map(judgeOne);
  };
  return {
    judge(bytes) {
      let judged: Part[];
      try {
        judged = parts(bytes);
      } catch (e) {
        return { reject: `consensus bundle: ${(e as Error).message}`, points: 10 };
      }
      const refused = judged.find((p) => p.verdict !== "accept" && p.verdict !== "ignore");
      if (refused !== undefined) return refused.verdict;
      const fresh = judged.filter((p) => p.verdict === "accept");
      if (fresh.length === 0) return "ignore";
      if (options.ready?.() ?? true) for (const p of fresh) if (p.key !== undefined) hold(p.key);
      return "accept";
    },
    remember(bytes) {
      try {
        const decision = decodeDecision(bytes, { maxValueBytes });
        if (decision !== null) return hold(decisionKey(decision));
        for (const m of decodeBundle(bytes, { maxValueBytes }) ?? [bytes]) hold(`m${toHex(sha256(m))}`);
      } catch {
        // Our own bytes always decode; nothing to hold otherwise.
      }
    },
    get known() {
      return known.size;
    },
  };
}

/** A decision as held: its height, block hash and certificate (its nonce and value bytes left out). */
function decisionKey(d: Decision): string {
  const w = new Writer().u64(d.height).fixed(d.value.hash).bytes(encodeCertificate(d.certificate));
  return `d${toHex(sha256(w.finish()))}`;
}
