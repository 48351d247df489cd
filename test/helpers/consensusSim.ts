/**
 * A simulated network of validators running the real consensus driver on a virtual clock.
 * Delivery is gossip: a node passes on every message it has not seen in the last
 * `SEEN_TTL_MS` (as gossipsub's seen cache), so a message reaches everyone through any path.
 * One seeded random generator decides every delay, so a seed replays the same run. Messages
 * take a random delay (so they arrive reordered); a fraction are "late" (lost and sent again
 * by gossip much later); a partition holds messages between its sides until it heals; a
 * crashed node loses what is sent to it and restarts from its last-signed record and its
 * committed chain. A sync tick gives a node that fell behind the next decision from a peer it
 * can reach (what block sync does), checked against the certificate.
 *
 * Every message on the wire is recorded, so tests can check that no honest validator ever
 * signed two different things at one (height, round, step).
 */
import { toHex, utf8 } from "../../src/codec/bytes.js";
import { sha256 } from "../../src/codec/hash.js";
import { seededRandom } from "../../src/codec/seededRandom.js";
import { type BlsKeyPair, keyPairFromSeed, sign } from "../../src/consensus/bls.js";
import type { CommitCertificate } from "../../src/consensus/certificate.js";
import { decodeDecision } from "../../src/consensus/decisionSync.js";
import { ConsensusDriver } from "../../src/consensus/driver.js";
import type { DuplicateVoteEvidence } from "../../src/consensus/evidence.js";
import { decodeBundle, decodeMessage, encodeProposal, encodeVote } from "../../src/consensus/messageCodec.js";
import { MemoryPolkaStore, MemorySignRecordStore, SignGuard } from "../../src/consensus/signGuard.js";
import { proposalSigningBytes, voteSigningBytes } from "../../src/consensus/signingBytes.js";
import type { TimeoutConfig } from "../../src/consensus/timeouts.js";
import type { Value } from "../../src/consensus/types.js";
import { ValidatorSet } from "../../src/consensus/validatorSet.js";

export const SIM_CHAIN_ID = "weft-sim";
const SEEN_TTL_MS = 800;

export interface SimOptions {
  readonly seed: number;
  readonly validators: number;
  readonly powers?: readonly bigint[];
  readonly minDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Fraction of messages that arrive late (up to `lateMaxMs`), as if resent after a loss. */
  readonly lateRate?: number;
  readonly lateMaxMs?: number;
  readonly byzantine?: readonly number[];
  /** Byzantine proposers propose a value that is not valid. */
  readonly byzantineInvalid?: boolean;
  readonly timeouts?: TimeoutConfig;
  /** Off: no block sync tick, a node behind catches up only through consensus's own decisions. */
  readonly blockSync?: boolean;
}

export const FAST_TIMEOUTS: TimeoutConfig = {
  propose: { baseMs: 300, incrementMs: 100 },
  prevote: { baseMs: 200, incrementMs: 100 },
  precommit: { baseMs: 200, incrementMs: 100 },
};

/** The shared seeded generator (`codec/seededRandom.ts`), re-exported where it was defined before. */
export { seededRandom };

export function simValue(height: number, round: number, by: number, salt: string): Value {
  const bytes = utf8(`block h=${height} r=${round} by=${by} ${salt}`);
  return { hash: sha256(bytes), bytes };
}

export interface SimNode {
  readonly index: number;
  readonly keys: BlsKeyPair;
  readonly store: MemorySignRecordStore;
  readonly polka: MemoryPolkaStore;
  driver: ConsensusDriver;
  up: boolean;
  generation: number;
  /** The committed chain: survives a crash, like the node's database. */
  readonly commits: Map<number, { value: Value; certificate: CommitCertificate }>;
  readonly evidence: DuplicateVoteEvidence[];
  readonly invalid: Error[];
}

interface SimEvent {
  readonly at: number;
  readonly seq: number;
  readonly run: () => Promise<void> | void;
}

export class ConsensusSim {
  now = 0;
  readonly nodes: SimNode[];
  readonly set: ValidatorSet;
  readonly random: () => number;
  /** (validator, height, round, kind) → the value keys it signed, as seen on the wire. */
  readonly signedOnWire = new Map<string, Set<string>>();
  private events: SimEvent[] = [];
  private seq = 0;
  private groups: number[][] | null = null;
  private held: Array<{ from: number; to: number; bytes: Uint8Array }> = [];
  private readonly byzantine: Set<number>;
  /** Per node, message digest → when it was last seen (gossip's seen cache). */
  private readonly seen: Array<Map<string, number>>;

  constructor(readonly options: SimOptions) {
    this.random = seededRandom(options.seed);
    this.byzantine = new Set(options.byzantine ?? []);
    this.seen = Array.from({ length: options.validators }, () => new Map());
    const keys = Array.from({ length: options.validators }, (_, i) =>
      keyPairFromSeed(sha256(utf8(`sim validator ${i}`))),
    );
    this.set = ValidatorSet.create(
      keys.map((k, i) => ({
        publicKey: k.publicKey,
        votingPower: options.powers?.[i] ?? 10n,
      })),
    );
    this.nodes = keys.map((k, index) => {
      const node = {
        index,
        keys: k,
        store: new MemorySignRecordStore(),
        polka: new MemoryPolkaStore(),
        up: true,
        generation: 0,
        commits: new Map(),
        evidence: [],
        invalid: [],
      } as unknown as SimNode;
      node.driver = this.makeDriver(node);
      return node;
    });
    if (options.blockSync !== false) this.scheduleSync();
  }

  async startAll(): Promise<void> {
    for (const n of this.nodes) await n.driver.start(1);
    await this.settle();
  }

  /** Runs events until `done()` holds or `limitMs` of virtual time passed; says whether it held. */
  async runUntil(done: () => boolean, limitMs: number): Promise<boolean> {
    const end = this.now + limitMs;
    while (!done()) {
      const next = this.events.shift();
      if (next === undefined || next.at > end) {
        if (next !== undefined) this.events.unshift(next);
        this.now = end;
        return done();
      }
      this.now = next.at;
      await next.run();
      await this.settle();
    }
    return true;
  }

  /** Waits until every driver has run everything queued (tasks may queue more). */
  private async settle(): Promise<void> {
    for (;;) {
      const tails = this.nodes.map((n) => n.driver.idle());
      await Promise.all(tails);
      if (this.nodes.every((n, i) => n.driver.idle() === tails[i])) return;
    }
  }

  run(ms: number): Promise<boolean> {
    return this.runUntil(() => false, ms);
  }

  /** Lowest height every node in `which` has committed up to. */
  minCommitted(which: readonly number[] = this.nodes.map((n) => n.index)): number {
    return Math.min(...which.map((i) => (this.nodes[i] as SimNode).commits.size));
  }

  partition(groups: number[][]): void {
    this.groups = groups;
  }

  heal(): void {
    this.groups = null;
    const held = this.held;
    this.held = [];
    for (const m of held) this.deliver(m.from, m.to, m.bytes);
  }

  crash(index: number): void {
    const node = this.nodes[index] as SimNode;
    node.up = false;
    node.driver.stop();
  }

  async restart(index: number): Promise<void> {
    const node = this.nodes[index] as SimNode;
    node.up = true;
    node.generation++;
    node.driver = this.makeDriver(node);
    await node.driver.start(node.commits.size + 1);
    await this.settle();
  }

  /** Honest validators that signed two different things for one (height, round, kind). */
  doubleSigners(): string[] {
    const out: string[] = [];
    for (const [key, values] of this.signedOnWire) {
      const validator = Number(key.split("/")[0]);
      if (values.size > 1 && !this.byzantine.has(validator)) out.push(key);
    }
    return out;
  }

  /** Heights at which two nodes committed different values (must stay empty). */
  forks(): number[] {
    const out: number[] = [];
    const byHeight = new Map<number, Set<string>>();
    for (const n of this.nodes) {
      for (const [h, c] of n.commits) {
        const s = byHeight.get(h) ?? new Set();
        s.add(toHex(c.value.hash));
        byHeight.set(h, s);
      }
    }
    for (const [h, s] of byHeight) if (s.size > 1) out.push(h);
    return out;
  }

  private at(delayMs: number, run: () => Promise<void> | void): void {
    const event = { at: this.now + delayMs, seq: this.seq++, run };
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const e = this.events[mid] as SimEvent;
      if (e.at < event.at || (e.at === event.at && e.seq < event.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.events.splice(lo, 0, event);
  }

  private reachable(from: number, to: number): boolean {
    return this.groups === null || this.groups.some((g) => g.includes(from) && g.includes(to));
  }

  private send(from: number, to: number, bytes: Uint8Array): void {
    if (!this.reachable(from, to)) {
      this.held.push({ from, to, bytes });
      return;
    }
    this.deliver(from, to, bytes);
  }

  private deliver(from: number, to: number, bytes: Uint8Array): void {
    const { minDelayMs = 5, maxDelayMs = 60, lateRate = 0, lateMaxMs = 2000 } = this.options;
    let delay = minDelayMs + this.random() * (maxDelayMs - minDelayMs);
    if (this.random() < lateRate) delay += this.random() * lateMaxMs;
    this.at(delay, async () => {
      const node = this.nodes[to] as SimNode;
      if (!node.up || !this.firstSight(to, bytes)) return;
      this.deliverTo(node, bytes, `node${from}`);
      if (!this.byzantine.has(to)) this.relay(to, bytes);
    });
  }

  /** True unless `node` saw these bytes within the last `SEEN_TTL_MS`; records the sighting. */
  private firstSight(node: number, bytes: Uint8Array): boolean {
    const seen = this.seen[node] as Map<string, number>;
    const key = toHex(sha256(bytes));
    const at = seen.get(key);
    seen.set(key, this.now);
    if (seen.size > 5000) {
      for (const [k, t] of seen) if (this.now - t > SEEN_TTL_MS) seen.delete(k);
    }
    return at === undefined || this.now - at > SEEN_TTL_MS;
  }

  private relay(from: number, bytes: Uint8Array): void {
    for (const n of this.nodes) if (n.index !== from) this.send(from, n.index, bytes);
  }

  private handlers = new Map<string, (bytes: Uint8Array, from: string) => void>();

  private deliverTo(node: SimNode, bytes: Uint8Array, from: string): void {
    this.handlers.get(`${node.index}/${node.generation}`)?.(bytes, from);
  }

  private broadcast(from: SimNode, bytes: Uint8Array): void {
    if (decodeDecision(bytes) !== null) {
      // A decision sent to a peer behind: certified already, relayed as it is.
      this.firstSight(from.index, bytes);
      this.relay(from.index, bytes);
      return;
    }
    const bundle = decodeBundle(bytes);
    if (bundle !== null) {
      // A rebroadcast of messages already signed and recorded: relayed as it is.
      for (const inner of bundle) this.recordOnWire(inner);
      this.firstSight(from.index, bytes);
      this.relay(from.index, bytes);
      return;
    }
    this.recordOnWire(bytes);
    this.firstSight(from.index, bytes);
    if (this.byzantine.has(from.index)) this.broadcastByzantine(from, bytes);
    else this.relay(from.index, bytes);
  }

  /** Sends one version of each message to half the peers and a conflicting one to the other half. */
  private broadcastByzantine(from: SimNode, bytes: Uint8Array): void {
    const m = decodeMessage(bytes);
    let other: Uint8Array;
    if (m.kind === "vote") {
      const v = m.vote;
      const valueHash = v.valueHash === null ? sha256(utf8(`evil ${this.random()}`)) : null;
      const forged = { ...v, valueHash };
      other = encodeVote({
        ...forged,
        signature: sign(from.keys.secretKey, voteSigningBytes(SIM_CHAIN_ID, forged)),
      });
    } else {
      const p = m.proposal;
      const value = simValue(p.height, p.round, from.index, `evil ${this.random()}`);
      const forged = { ...p, value };
      other = encodeProposal({
        ...forged,
        signature: sign(from.keys.secretKey, proposalSigningBytes(SIM_CHAIN_ID, forged)),
      });
    }
    this.recordOnWire(other);
    for (const n of this.nodes) {
      if (n.index !== from.index) this.send(from.index, n.index, n.index % 2 === 0 ? bytes : other);
    }
  }

  private recordOnWire(bytes: Uint8Array): void {
    const m = decodeMessage(bytes);
    const key =
      m.kind === "vote"
        ? `${m.vote.validator}/${m.vote.height}/${m.vote.round}/vote${m.vote.type}`
        : `${m.proposal.proposer}/${m.proposal.height}/${m.proposal.round}/proposal`;
    const value =
      m.kind === "vote" ? (m.vote.valueHash ? toHex(m.vote.valueHash) : "nil") : toHex(m.proposal.value.hash);
    const s = this.signedOnWire.get(key) ?? new Set<string>();
    s.add(value);
    this.signedOnWire.set(key, s);
  }

  private scheduleSync(): void {
    this.at(500, () => {
      for (const n of this.nodes) {
        if (!n.up) continue;
        const h = n.commits.size + 1;
        const peer = this.nodes.find((p) => p.up && p.commits.has(h) && this.reachable(p.index, n.index));
        const c = peer?.commits.get(h);
        if (c !== undefined) {
          const driver = n.driver;
          this.at(20, async () => {
            await driver.syncDecision(h, c.value, c.certificate);
          });
        }
      }
      this.scheduleSync();
    });
  }

  private makeDriver(node: SimNode): ConsensusDriver {
    const generation = node.generation;
    const byzantine = this.byzantine.has(node.index) && this.options.byzantineInvalid === true;
    return new ConsensusDriver({
      chainId: SIM_CHAIN_ID,
      timeouts: this.options.timeouts ?? FAST_TIMEOUTS,
      rebroadcastMs: 1000,
      transport: {
        broadcast: (bytes) => {
          if (node.up && node.generation === generation) this.broadcast(node, bytes);
        },
        onMessage: (handler) => {
          this.handlers.set(`${node.index}/${generation}`, handler);
        },
      },
      clock: {
        schedule: (delayMs, fire) =>
          this.at(delayMs, () => {
            if (node.up && node.generation === generation) fire();
          }),
      },
      validators: { validatorSetAt: () => ({ set: this.set, startHeight: 1 }) },
      validator: {
        publicKey: node.keys.publicKey,
        guard: new SignGuard(node.store, node.keys.secretKey),
        polka: node.polka,
      },
      app: {
        proposeValue: async (h, r) =>
          byzantine
            ? { hash: sha256(utf8("bad")), bytes: utf8(`not a block ${h}`) }
            : simValue(h, r, node.index, `${this.random()}`),
        validateValue: async (h, v) =>
          toHex(sha256(v.bytes)) === toHex(v.hash) &&
          new TextDecoder().decode(v.bytes).startsWith(`block h=${h} `),
        commit: async (h, value, certificate) => {
          if (node.commits.has(h)) throw new Error(`node ${node.index} commits height ${h} twice`);
          node.commits.set(h, { value, certificate });
        },
        reportEvidence: (e) => node.evidence.push(e),
      },
      onInvalid: (_from, e) => node.invalid.push(e),
    });
  }
}
