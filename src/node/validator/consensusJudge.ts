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
 * A decision (a height's value and certificate, sent to a peer behind) is forwarded only when
 * this node holds exactly its bytes committed: a certificate alone does not vouch for the bytes
 * beside it (anyone can pair a real certificate with other bytes naming the same hash), and a
 * node that forwarded before executing made every honest node downstream pay one execution per
 * forged variant while blaming nobody. So, cheapest first:
 *
 *   older than 2 heights below ours, or above our next height → ignore
 *   held already (height, hash, certificate and bytes)        → ignore
 *   a certificate that does not hold for the height's set     → reject, FORGED_GOSSIP (a ban)
 *   bytes that do not declare the certified height and hash   → reject, FORGED_GOSSIP
 *   a height this node committed: the bytes it committed      → accept; other bytes → ignore
 *     (not blamed: another valid encoding of the block cannot be told apart without executing)
 *   the height being decided → handed to consensus (`decide`), which re-executes it:
 *     committed with these bytes → accept; bytes that re-execute to another block → reject,
 *     FORGED_GOSSIP; this node could not judge (its clock), or it committed other bytes → ignore
 *
 * The forwarder blamed is the peer that sent it, and since honest nodes forward only decisions
 * they committed, a forged decision's forwarder is its forger: one execution per forger, then
 * the connection gater refuses it (`test/unit/node/decisionForgery.test.ts`). A certificate
 * verified once is remembered (`VERIFIED_CERTIFICATES`): a forger reusing one real certificate
 * with other bytes costs a hash and a comparison.
 */
import { equalBytes, fromHex, toHex } from "../../codec/bytes.js";
import { sha256 } from "../../codec/hash.js";
import { encodeCertificate, verifyCertificate } from "../../consensus/certificate.js";
import { type Decision, decodeDecision } from "../../consensus/decisionSync.js";
import type { DecisionOutcome } from "../../consensus/driverOptions.js";
import type { ValidatorSetSource } from "../../consensus/interfaces.js";
import { checkMessage, messageHeight } from "../../consensus/messageCheck.js";
import { decodeBundle, decodeMessage } from "../../consensus/messageCodec.js";
import type { ValidatorSet } from "../../consensus/validatorSet.js";
import { Writer } from "../../consensus/wire.js";
import type { Verdict } from "../../net/gossip.js";
import { PENALTY } from "../../net/peerScore.js";
import { declaredValueId } from "./blockValue.js";

/** Messages (and decisions) remembered as held, the oldest forgotten first. */
export const KNOWN_MESSAGES = 16_384;
/** Votes and proposals more than this many heights below the node's are ignored. */
export const OLD_HEIGHTS = 2;
/** Votes and proposals more than this many heights above the node's are ignored (not checked). */
export const FUTURE_HEIGHTS = 2;
/** Decision certificates remembered as verified (height, hash and certificate bytes). */
export const VERIFIED_CERTIFICATES = 256;

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
  /**
   * Consensus given a decision of the height it decides (`ConsensusDriver.offerDecision`): it
   * is forwarded only once committed with its bytes. Without it such a decision is accepted
   * once its certificate and declared id hold (and consensus is left to judge its bytes).
   */
  decide?(decision: Decision, from: string): Promise<DecisionOutcome>;
  /** The value bytes this node committed at `height`, when it holds them (a decision's bytes are compared with them). */
  committedValue?(height: number): Uint8Array | undefined;
}

export interface ConsensusJudge {
  /**
   * The verdict on a gossip message from `from`; an accepted message's parts are held from then
   * on. A decision of the height being decided is answered once consensus has judged it.
   */
  judge(bytes: Uint8Array, from?: string): Verdict | Promise<Verdict>;
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
  const verified = new Set<string>();
  /** SHA-256 of the value bytes committed at the last few heights (decisions are judged at 3 heights at most). */
  const committed = new Map<number, string>();
  const committedDigest = (height: number): string | undefined => {
    const held = committed.get(height);
    if (held !== undefined) return held;
    const bytes = options.committedValue?.(height);
    if (bytes === undefined) return undefined;
    const digest = toHex(sha256(bytes));
    committed.set(height, digest);
    for (const h of committed.keys()) if (h < height - 8) committed.delete(h);
    return digest;
  };
  /** Decisions being judged by consensus, by key: a copy arriving meanwhile waits for the same verdict. */
  const deciding = new Map<string, Promise<Part>>();
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
  const forged = (why: string): Part => ({
    verdict: { reject: `consensus decision: ${why}`, points: PENALTY.FORGED_GOSSIP },
  });
  /** The cheap checks of a decision (no execution); a Part when they settle it, else null. */
  const checkDecision = (d: Decision, set: ValidatorSet): Part | null => {
    let id: ReturnType<typeof declaredValueId>;
    try {
      id = declaredValueId(d.value.bytes);
    } catch (e) {
      return forged(`its block does not decode: ${(e as Error).message}`);
    }
    if (id.number !== d.height || !equalBytes(id.headerHash, d.value.hash))
      return forged(
        `its bytes declare block ${id.number} 0x${toHex(id.headerHash)}, the certificate ${d.height} 0x${toHex(d.value.hash)}`,
      );
    const certified = `c${toHex(sha256(decisionCore(d)))}`;
    if (!verified.has(certified)) {
      try {
        verifyCertificate(d.certificate, set, chainId, { height: d.height, blockHash: d.value.hash });
      } catch (e) {
        return forged((e as Error).message);
      }
      if (verified.size >= VERIFIED_CERTIFICATES) verified.delete(verified.values().next().value as string);
      verified.add(certified);
    }
    return null;
  };
  const judgeDecision = (d: Decision, from: string): Part | Promise<Part> => {
    const head = options.headNumber();
    if (d.height > head + 1) options.onAhead?.(d.height, false);
    if (d.height > head + 1 || d.height < options.consensusHeight() - OLD_HEIGHTS)
      return { verdict: "ignore" };
    const digest = toHex(sha256(d.value.bytes));
    const key = decisionKey(d, digest);
    if (known.has(key)) return { verdict: "ignore" };
    const set = setAt(d.height);
    if (set === undefined) return { verdict: "ignore" };
    const settled = checkDecision(d, set);
    if (settled !== null) return settled;
    // Block d.height exists: the network decides d.height + 1 at least.
    options.onAhead?.(d.height + 1, true);
    if (d.height <= head) {
      const ours = committedDigest(d.height);
      return ours === undefined || ours === digest ? { verdict: "accept", key } : { verdict: "ignore" };
    }
    const { decide } = options;
    if (decide === undefined) return { verdict: "accept", key };
    const waiting = deciding.get(key);
    if (waiting !== undefined)
      return waiting.then((p) => (p.verdict === "accept" ? { verdict: "ignore" } : p));
    const judged = decide(d, from).then((outcome): Part => {
      if (committedDigest(d.height) === digest) return { verdict: "accept", key };
      if (outcome === "refused") return forged("its bytes do not re-execute to the certified block");
      return { verdict: "ignore" };
    });
    deciding.set(key, judged);
    return judged.finally(() => deciding.delete(key));
  };
  /** The parts of a bundle or a single message judged; throws a decode error for a malformed bundle. */
  const parts = (bytes: Uint8Array): Part[] => {
    const bundle = decodeBundle(bytes, { maxValueBytes });
    return bundle === null ? [judgeOne(bytes)] : bundle.map(judgeOne);
  };
  /** The verdict on judged parts; the accepted ones are held. */
  const conclude = (judged: Part[]): Verdict => {
    const refused = judged.find((p) => p.verdict !== "accept" && p.verdict !== "ignore");
    if (refused !== undefined) return refused.verdict;
    const fresh = judged.filter((p) => p.verdict === "accept");
    if (fresh.length === 0) return "ignore";
    if (options.ready?.() ?? true) for (const p of fresh) if (p.key !== undefined) hold(p.key);
    return "accept";
  };
  return {
    judge(bytes, from = "") {
      try {
        const decision = decodeDecision(bytes, { maxValueBytes });
        if (decision !== null) {
          const part = judgeDecision(decision, from);
          return part instanceof Promise ? part.then((p) => conclude([p])) : conclude([part]);
        }
        return conclude(parts(bytes));
      } catch (e) {
        return { reject: `consensus bundle: ${(e as Error).message}`, points: 10 };
      }
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

/**
 * A decision as held: its height, block hash, certificate and value bytes (its nonce left out).
 * The bytes are in it: a forgery held under an honest decision's key would make this node
 * ignore the honest one.
 */
function decisionKey(d: Decision, digest = toHex(sha256(d.value.bytes))): string {
  return `d${toHex(sha256(new Writer().bytes(decisionCore(d)).fixed(fromHex(digest)).finish()))}`;
}

/** A decision's height, block hash and certificate, encoded. */
function decisionCore(d: Decision): Uint8Array {
  return new Writer().u64(d.height).fixed(d.value.hash).bytes(encodeCertificate(d.certificate)).finish();
}
