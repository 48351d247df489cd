/**
 * The consensus driver: the state machine (`stateMachine.ts`) given a network, a clock, a key
 * and an application. It decodes and checks messages (size, signature, the sender's place in
 * the height's set) before the machine sees them, keeps messages of the next heights until
 * their height starts, signs through the double-sign guard (`signGuard.ts`, fsynced before
 * the message leaves), and turns decisions into commit certificates for the application.
 *
 * Everything it does happens in one queue, one task at a time (a message, a timeout), the
 * application's calls awaited inside the task: the machine's inputs are totally ordered, as
 * the paper's algorithm assumes, and a simulated network on a virtual clock is deterministic.
 */
import { toHex } from "../codec/bytes.js";
import { verifySignature } from "./bls.js";
import { buildCertificate, type CommitCertificate, verifyCertificate } from "./certificate.js";
import { DecisionCache, decodeDecision, encodeDecision } from "./decisionSync.js";
import { ConsensusDecodeError, ConsensusError } from "./errors.js";
import { duplicateVoteEvidence, evidenceHash } from "./evidence.js";
import type {
  ConsensusApplication,
  ConsensusClock,
  ConsensusTransport,
  ValidatorSetSource,
} from "./interfaces.js";
import {
  decodeBundle,
  decodeMessage,
  encodeBundle,
  encodeProposal,
  encodeVote,
  MAX_BUNDLE_MESSAGES,
} from "./messageCodec.js";
import { ProposerSchedule } from "./proposerSelection.js";
import type { PolkaStore, SignGuard } from "./signGuard.js";
import { proposalSigningBytes, voteSigningBytes } from "./signingBytes.js";
import { type LockState, type MachineInput, type MachineOutput, TendermintMachine } from "./stateMachine.js";
import { DEFAULT_TIMEOUTS, type TimeoutConfig } from "./timeouts.js";
import { type ConsensusMessage, Step, type Value, VoteType } from "./types.js";
import type { ValidatorSet } from "./validatorSet.js";

export interface DriverOptions {
  readonly chainId: string;
  readonly transport: ConsensusTransport;
  readonly clock: ConsensusClock;
  readonly validators: ValidatorSetSource;
  readonly app: ConsensusApplication;
  /** This validator's key and guard; absent for a node that follows without voting. */
  readonly validator?: {
    readonly publicKey: Uint8Array;
    readonly guard: SignGuard;
    readonly polka?: PolkaStore;
  };
  readonly timeouts?: TimeoutConfig;
  readonly maxValueBytes?: number;
  /** Messages kept for heights not started yet (at most 2 ahead). */
  readonly maxBufferedMessages?: number;
  /**
   * Every this many ms, send this validator's own messages of the current height again, as
   * gossip does for peers that missed them (a partition, a restart). 0 turns it off.
   */
  readonly rebroadcastMs?: number;
  /** A peer sent something invalid (for peer scoring). */
  readonly onInvalid?: (from: string, error: Error) => void;
  /** A height was committed. */
  readonly onCommit?: (height: number, round: number) => void;
}

const FUTURE_HEIGHTS = 2;

export class ConsensusDriver {
  readonly machine: TendermintMachine;
  private height = 0;
  private set: ValidatorSet | null = null;
  private schedules = new Map<number, ProposerSchedule>();
  private buffered: Array<{ bytes: Uint8Array; from: string; height: number }> = [];
  private readonly validity = new Map<string, boolean>();
  private readonly evidenceSeen = new Set<string>();
  private tail: Promise<void> = Promise.resolve();
  /** This validator's messages at the current height, the latest few, for rebroadcast. */
  private own: Uint8Array[] = [];
  /** The prevotes that justify this validator's latest proposal with a POL round, sent with it. */
  private pol: Uint8Array[] = [];
  private nonce = BigInt(Date.now()) * 1000n;
  /** The valid round whose polka is kept (`PolkaStore`) at this height. */
  private polkaRound = -1;
  private readonly decisions = new DecisionCache();
  private stopped = false;

  constructor(private readonly options: DriverOptions) {
    const key = options.validator?.publicKey;
    this.machine = new TendermintMachine({
      selfIndex: (set) => (key === undefined ? null : (set.indexOf(key) ?? null)),
      timeouts: options.timeouts ?? DEFAULT_TIMEOUTS,
    });
    options.transport.onMessage((bytes, from) => {
      void this.enqueue(() => this.receive(bytes, from));
    });
  }

  get currentHeight(): number {
    return this.height;
  }

  /** Starts consensus at `height` (the one after the committed head). */
  start(height: number): Promise<void> {
    const every = this.options.rebroadcastMs ?? 0;
    if (every > 0) this.scheduleRebroadcast(every);
    return this.enqueue(() => this.startHeight(height));
  }

  /**
   * A decision learnt from elsewhere (block sync): checked against the height's set and the
   * application, then committed as if decided here. Ignored unless it is for the current height.
   */
  syncDecision(height: number, value: Value, certificate: CommitCertificate, from = "sync"): Promise<void> {
    return this.enqueue(() => this.applyDecision(height, value, certificate, from));
  }

  private async applyDecision(
    height: number,
    value: Value,
    certificate: CommitCertificate,
    from: string,
  ): Promise<void> {
    if (height !== this.height || this.set === null) return;
    try {
      verifyCertificate(certificate, this.set, this.options.chainId, { height, blockHash: value.hash });
    } catch (e) {
      if (e instanceof ConsensusError) return this.options.onInvalid?.(from, e);
      throw e;
    }
    if (!(await this.isValid(height, value))) return;
    await this.commitAndAdvance(height, certificate.round, value, certificate);
  }

  private limits(): { maxValueBytes?: number } {
    return this.options.maxValueBytes === undefined ? {} : { maxValueBytes: this.options.maxValueBytes };
  }

  /** Stops acting on anything (a crash, in tests; shutdown in the node). */
  stop(): void {
    this.stopped = true;
  }

  /** Resolves once every queued task has run. */
  idle(): Promise<void> {
    return this.tail;
  }

  private scheduleRebroadcast(every: number): void {
    this.options.clock.schedule(every, () => {
      if (this.stopped) return;
      this.decisions.tick();
      void this.enqueue(async () => {
        // A fresh bundle each time: gossip drops bytes it has seen, so the originals would reach nobody.
        const messages = [...this.own, ...this.pol];
        for (let i = 0; i < messages.length; i += MAX_BUNDLE_MESSAGES) {
          this.options.transport.broadcast(
            encodeBundle(messages.slice(i, i + MAX_BUNDLE_MESSAGES), this.nonce++),
          );
        }
      });
      this.scheduleRebroadcast(every);
    });
  }

  private send(bytes: Uint8Array): void {
    this.own.push(bytes);
    if (this.own.length > 6) this.own.shift();
    this.options.transport.broadcast(bytes);
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.tail.then(() => (this.stopped ? undefined : task()));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async startHeight(height: number): Promise<void> {
    this.height = height;
    const { set, startHeight } = this.options.validators.validatorSetAt(height);
    this.set = set;
    let schedule = this.schedules.get(startHeight);
    if (schedule === undefined || schedule.set !== set) {
      schedule = new ProposerSchedule(set, startHeight);
      this.schedules = new Map([[startHeight, schedule]]);
    }
    this.validity.clear();
    this.own = [];
    this.pol = [];
    const last = this.options.validator?.guard.lastSigned;
    const resumed = last !== null && last !== undefined && last.height === height ? last : undefined;
    const polka = resumed === undefined ? null : (this.options.validator?.polka?.load() ?? null);
    const kept = polka !== null && polka.height === height ? polka : null;
    this.polkaRound = kept?.round ?? -1;
    const resume =
      resumed === undefined
        ? undefined
        : {
            ...resumed.lock,
            round: resumed.round,
            step: resumed.step,
            ...(kept ? { validValue: kept.value } : {}),
          };
    await this.feed({ kind: "start", height, set, schedule, ...(resume ? { resume } : {}) });
    // The kept polka's prevotes count again (they were checked when first received).
    for (const bytes of kept?.prevotes ?? []) {
      const m = decodeMessage(bytes);
      if (m.kind === "vote") await this.feed({ kind: "vote", vote: m.vote });
    }
    if (resumed?.message) await this.resend(resumed.message);
    const ready = this.buffered.filter((m) => m.height === height);
    this.buffered = this.buffered.filter((m) => m.height > height);
    for (const m of ready) await this.receive(m.bytes, m.from);
  }

  /** After a restart: the vote signed last, counted again and sent again (peers may have missed it). */
  private async resend(bytes: Uint8Array): Promise<void> {
    const m = decodeMessage(bytes);
    if (m.kind !== "vote") return;
    this.send(bytes);
    await this.feed({ kind: "vote", vote: m.vote });
  }

  private async receive(bytes: Uint8Array, from: string): Promise<void> {
    let bundle: Uint8Array[] | null;
    try {
      const decision = decodeDecision(bytes, this.limits());
      if (decision !== null)
        return this.applyDecision(decision.height, decision.value, decision.certificate, from);
      bundle = decodeBundle(
        bytes,
        this.options.maxValueBytes === undefined ? {} : { maxValueBytes: this.options.maxValueBytes },
      );
    } catch (e) {
      if (e instanceof ConsensusDecodeError) return this.options.onInvalid?.(from, e);
      throw e;
    }
    if (bundle !== null) {
      for (const inner of bundle) await this.receiveOne(inner, from);
      return;
    }
    return this.receiveOne(bytes, from);
  }

  private async receiveOne(bytes: Uint8Array, from: string): Promise<void> {
    let message: ConsensusMessage;
    try {
      message = decodeMessage(
        bytes,
        this.options.maxValueBytes === undefined ? {} : { maxValueBytes: this.options.maxValueBytes },
      );
    } catch (e) {
      if (e instanceof ConsensusDecodeError) return this.options.onInvalid?.(from, e);
      throw e;
    }
    const height = message.kind === "proposal" ? message.proposal.height : message.vote.height;
    if (height < this.height) {
      // A peer behind: send it the decision of its height, if this node still holds it.
      const d = this.decisions.answer(height);
      if (d !== undefined) this.options.transport.broadcast(encodeDecision(d, this.nonce++));
      return;
    }
    if (this.set === null) return;
    if (height > this.height || this.machine.decided) {
      if (
        height <= this.height + FUTURE_HEIGHTS &&
        this.buffered.length < (this.options.maxBufferedMessages ?? 10_000)
      ) {
        this.buffered.push({ bytes, from, height });
      }
      return;
    }
    const error = this.check(message, this.set);
    if (error !== null) return this.options.onInvalid?.(from, error);
    if (message.kind === "vote") return this.feed({ kind: "vote", vote: message.vote });
    const valid = await this.isValid(height, message.proposal.value);
    return this.feed({ kind: "proposal", proposal: message.proposal, valid });
  }

  /** The signature of a message by a member of `set`, or the error to hold against the sender. */
  private check(m: ConsensusMessage, set: ValidatorSet): ConsensusError | null {
    const index = m.kind === "proposal" ? m.proposal.proposer : m.vote.validator;
    if (index >= set.size) {
      return new ConsensusError(
        "UNKNOWN_VALIDATOR",
        `message from validator ${index}, outside the set of ${set.size}`,
      );
    }
    const bytes =
      m.kind === "proposal"
        ? proposalSigningBytes(this.options.chainId, m.proposal)
        : voteSigningBytes(this.options.chainId, m.vote);
    const signature = m.kind === "proposal" ? m.proposal.signature : m.vote.signature;
    if (!verifySignature(set.key(index), bytes, signature)) {
      return new ConsensusError(
        "BAD_SIGNATURE",
        `${m.kind} signature does not verify for validator ${index}`,
      );
    }
    return null;
  }

  private async isValid(height: number, value: { hash: Uint8Array; bytes: Uint8Array }): Promise<boolean> {
    const key = toHex(value.hash);
    let valid = this.validity.get(key);
    if (valid === undefined) {
      valid = await this.options.app.validateValue(height, value);
      this.validity.set(key, valid);
    }
    return valid;
  }

  private async feed(input: MachineInput): Promise<void> {
    for (const output of this.machine.handle(input)) await this.apply(output);
  }

  private async apply(o: MachineOutput): Promise<void> {
    const { chainId, app } = this.options;
    switch (o.kind) {
      case "sign-proposal": {
        const signature = this.signOrSkip(
          o.proposal.height,
          o.proposal.round,
          Step.Propose,
          proposalSigningBytes(chainId, o.proposal),
          o.lock,
        );
        if (signature === null) return;
        const proposal = { ...o.proposal, signature };
        this.send(encodeProposal(proposal));
        if (proposal.polRound >= 0) {
          // Peers that missed the polka (a restart, a partition) need it to accept the proposal (line 28).
          this.pol = this.machine.polkaVotes(proposal.polRound, proposal.value.hash).map(encodeVote);
          for (const m of this.pol) this.options.transport.broadcast(m);
        }
        this.validity.set(toHex(proposal.value.hash), true);
        return this.feed({ kind: "proposal", proposal, valid: true });
      }
      case "sign-vote": {
        const step = o.vote.type === VoteType.Prevote ? Step.Prevote : Step.Precommit;
        this.keepPolka(o.vote.height, o.lock);
        const bytes = voteSigningBytes(chainId, o.vote);
        const signature = this.signOrSkip(o.vote.height, o.vote.round, step, bytes, o.lock, (sig) =>
          encodeVote({ ...o.vote, signature: sig }),
        );
        if (signature === null) return;
        const vote = { ...o.vote, signature };
        this.send(encodeVote(vote));
        return this.feed({ kind: "vote", vote });
      }
      case "schedule-timeout": {
        const { height, round, step } = o;
        this.options.clock.schedule(o.delayMs, () => {
          void this.enqueue(() => this.feed({ kind: "timeout", height, round, step }));
        });
        return;
      }
      case "request-value": {
        const value = await app.proposeValue(o.height, o.round);
        return this.feed({ kind: "value", height: o.height, round: o.round, value });
      }
      case "decide": {
        const certificate = buildCertificate(o.precommits, (this.set as ValidatorSet).size);
        return this.commitAndAdvance(o.height, o.round, o.value, certificate);
      }
      case "equivocation": {
        const evidence = duplicateVoteEvidence(o.first, o.second);
        const key = toHex(evidenceHash(evidence));
        if (this.evidenceSeen.has(key)) return;
        this.evidenceSeen.add(key);
        app.reportEvidence(evidence);
        return;
      }
    }
  }

  /** Before a vote that follows a new valid round leaves: keep the valid value and its polka durably. */
  private keepPolka(height: number, lock: LockState): void {
    const store = this.options.validator?.polka;
    if (store === undefined || lock.validRound <= this.polkaRound) return;
    const valid = this.machine.validValue();
    if (valid === null || valid.round !== lock.validRound) return;
    const prevotes = this.machine.polkaVotes(valid.round, valid.value.hash).map(encodeVote);
    store.save({ height, round: valid.round, value: valid.value, prevotes });
    this.polkaRound = valid.round;
  }

  private async commitAndAdvance(
    height: number,
    round: number,
    value: Value,
    cert: CommitCertificate,
  ): Promise<void> {
    await this.options.app.commit(height, value, cert);
    this.decisions.keep({ height, value, certificate: cert });
    this.options.onCommit?.(height, round);
    await this.startHeight(height + 1);
  }

  /** Signs through the guard; a refusal (a restart mid-round) means the message is not sent. */
  private signOrSkip(
    height: number,
    round: number,
    step: Step,
    bytes: Uint8Array,
    lock: LockState,
    message?: (signature: Uint8Array) => Uint8Array,
  ): Uint8Array | null {
    const guard = this.options.validator?.guard;
    if (guard === undefined) return null;
    try {
      return guard.sign(height, round, step, bytes, lock, message);
    } catch (e) {
      if (e instanceof ConsensusError && e.code === "DOUBLE_SIGN") return null;
      throw e;
    }
  }
}
