/**
 * The consensus driver: the state machine (`stateMachine.ts`) given a network, a clock, a key
 * and an application. It decodes and checks messages (size, signature, the sender's place in
 * the height's set: `messageCheck.ts`) before the machine sees them, keeps messages of the
 * next heights until their height starts, signs through the double-sign guard
 * (`validatorSigner.ts`), and turns decisions into commit certificates for the application.
 *
 * Everything it does happens in one queue, one task at a time (a message, a timeout), the
 * application's calls awaited inside the task: the machine's inputs are totally ordered, as
 * the paper's algorithm assumes, and a simulated network on a virtual clock is deterministic.
 *
 * Heights: once height h is committed the driver enters h + 1 at once (its set and proposer
 * schedule; a peer still at h is answered with h's decision) and starts the machine there
 * `commitWaitMs` later, in a task of its own (Tendermint's timeout_commit). The wait paces the
 * chain: one block per interval, with transactions or without (docs/validators.md, "Empty
 * blocks"). A decision learnt from a peer (`syncDecision`: block sync, decision answers)
 * commits and enters the next height with no wait, so a node far behind climbs as fast as it
 * executes. A message for a height above the current one is reported (`onAhead`): this node
 * may be behind, and block sync can bring it to the head.
 */
import { equalBytes, toHex } from "../codec/bytes.js";
import { buildCertificate, type CommitCertificate, verifyCertificate } from "./certificate.js";
import {
  type Decision,
  DecisionCache,
  decodeDecision,
  encodeDecision,
  KEPT_DECISIONS,
} from "./decisionSync.js";
import type { DecisionOutcome, DriverOptions, DriverStatus, SyncOutcome } from "./driverOptions.js";
import { ConsensusDecodeError, ConsensusError } from "./errors.js";
import { EvidenceOnce } from "./evidence.js";
import { DEFAULT_MAX_BUFFERED_BYTES, FutureMessages } from "./futureMessages.js";
import { LastCommit } from "./lastCommit.js";
import { checkMessage, messageHeight } from "./messageCheck.js";
import { decodeBundle, decodeMessage, encodeProposal, encodeVote } from "./messageCodec.js";
import { OwnMessages } from "./ownMessages.js";
import { ProposerSchedule } from "./proposerSelection.js";
import { proposalSigningBytes, voteSigningBytes } from "./signingBytes.js";
import { type MachineInput, type MachineOutput, TendermintMachine } from "./stateMachine.js";
import { TaskQueue } from "./taskQueue.js";
import { DEFAULT_TIMEOUTS } from "./timeouts.js";
import { type ConsensusMessage, Step, type Value, type Vote, VoteType } from "./types.js";
import type { ValidatorSet } from "./validatorSet.js";
import { ValidatorSigner } from "./validatorSigner.js";
import { ValueVerdicts } from "./valueVerdicts.js";

export type { DecisionOutcome, DriverOptions, DriverStatus, SyncOutcome } from "./driverOptions.js";
export { DEFAULT_MAX_BUFFERED_BYTES } from "./futureMessages.js";

export class ConsensusDriver {
  readonly machine: TendermintMachine;
  private height = 0;
  /** Whether the machine runs at `height` (false while waiting after the last commit). */
  private started = false;
  private set: ValidatorSet | null = null;
  private schedule: ProposerSchedule | null = null;
  private scheduleStart = -1;
  private readonly future: FutureMessages; // the next heights' messages, until their height starts
  private readonly verdicts: ValueVerdicts; // valid(v) of this height's values
  private readonly evidence = new EvidenceOnce();
  /** One task at a time: a message, a timeout, a decision (`taskQueue.ts`). */
  private readonly tasks = new TaskQueue();
  private readonly own = new OwnMessages();
  private readonly signer: ValidatorSigner;
  private readonly decisions = new DecisionCache();
  /** The last committed height's certificate, growing with the precommits that arrive late (`lastCommit.ts`). */
  private lastCommit: LastCommit | null = null;
  private readonly limits: { maxValueBytes?: number };

  constructor(private readonly options: DriverOptions) {
    const key = options.validator?.publicKey;
    this.signer = new ValidatorSigner(options.validator);
    this.future = new FutureMessages(
      options.chainId,
      options.validators,
      options.maxBufferedMessages ?? 10_000,
      options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
    );
    this.verdicts = new ValueVerdicts(options.app);
    this.limits = options.maxValueBytes === undefined ? {} : { maxValueBytes: options.maxValueBytes };
    this.machine = new TendermintMachine({
      selfIndex: (set) => (key === undefined ? null : (set.indexOf(key) ?? null)),
      timeouts: options.timeouts ?? DEFAULT_TIMEOUTS,
    });
    options.transport.onMessage((bytes, from) => {
      void this.tasks.enqueue(() => this.receive(bytes, from));
    });
  }

  /** The height being decided (the one after the committed head). */
  get currentHeight(): number {
    return this.height;
  }

  /** Starts consensus at `height` (the one after the committed head). */
  start(height: number): Promise<void> {
    const every = this.options.rebroadcastMs ?? 0;
    if (every > 0) this.scheduleRebroadcast(every);
    return this.tasks.enqueue(async () => {
      this.enterHeight(height);
      await this.startMachine();
    });
  }

  /**
   * A decision learnt from elsewhere (block sync): checked against the height's set and the
   * application, then committed as if decided here. Only the current height's is taken:
   * "stale" below it, "ahead" above; "refused" when the certificate or the value is bad.
   */
  syncDecision(
    height: number,
    value: Value,
    certificate: CommitCertificate,
    from = "sync",
  ): Promise<SyncOutcome> {
    return this.offerDecision({ height, value, certificate }, from).then((outcome) =>
      outcome === "unjudged" ? "refused" : outcome,
    );
  }

  /**
   * A decision from a peer (the gossip judge hands it here before forwarding it): as
   * `syncDecision`, with "refused" kept for a decision at fault (the sender's: an honest one
   * forwards only a decision it committed) apart from "unjudged" (this node's clock or store).
   */
  offerDecision(decision: Decision, from: string): Promise<DecisionOutcome> {
    let outcome: DecisionOutcome = "stale";
    return this.tasks
      .enqueue(async () => {
        outcome = await this.applyDecision(decision.height, decision.value, decision.certificate, from);
      })
      .then(() => outcome);
  }

  /** Where consensus stands, for a stall report in the node's log. */
  status(): DriverStatus {
    return {
      height: this.height,
      started: this.started,
      machine: this.machine.status(),
      buffered: this.future.count,
      bufferedBytes: this.future.byteCount,
      queued: this.tasks.queued,
    };
  }

  /** Stops acting on anything (a crash, in tests; shutdown in the node). */
  stop(): void {
    this.tasks.stop();
  }

  /** Resolves once every queued task has run. */
  idle(): Promise<void> {
    return this.tasks.idle();
  }

  private async applyDecision(
    height: number,
    value: Value,
    certificate: CommitCertificate,
    from: string,
  ): Promise<DecisionOutcome> {
    if (height < this.height) return "stale";
    if (height > this.height || this.set === null) return "ahead";
    try {
      verifyCertificate(certificate, this.set, this.options.chainId, { height, blockHash: value.hash });
    } catch (e) {
      if (!(e instanceof ConsensusError)) throw e;
      this.options.onInvalid?.(from, e);
      return "refused";
    }
    // The certificate decides the hash: bytes of it judged valid already (the proposal) are
    // committed whatever bytes came with it, and other bytes are not executed.
    const known = this.verdicts.validBytes(value.hash);
    if (known !== undefined && !equalBytes(known, value.bytes)) {
      const own = { hash: value.hash, bytes: known };
      await this.commitAndAdvance(height, certificate.round, own, certificate, 0);
      return "committed";
    }
    const judged = await this.verdicts.judge(height, value);
    if (judged === "unjudged") return "unjudged";
    if (judged === "invalid") {
      const hash = toHex(value.hash);
      this.options.onInvalid?.(
        from,
        new ConsensusError(
          "BAD_VALUE",
          `a decision of height ${height} with bytes that are not block ${hash}'s`,
        ),
      );
      return "refused";
    }
    await this.commitAndAdvance(height, certificate.round, value, certificate, 0);
    return "committed";
  }

  private scheduleRebroadcast(every: number): void {
    this.options.clock.schedule(every, () => {
      if (this.tasks.stopped) return;
      this.decisions.tick();
      void this.tasks.enqueue(async () => {
        for (const bundle of this.own.bundles()) this.options.transport.broadcast(bundle);
      });
      this.scheduleRebroadcast(every);
    });
  }

  private send(bytes: Uint8Array): void {
    this.own.keep(bytes);
    this.options.transport.broadcast(bytes);
  }

  /** Takes `height`'s set and proposer schedule; the machine starts there later (`startMachine`). */
  private enterHeight(height: number): void {
    this.height = height;
    this.started = false;
    const { set, startHeight } = this.options.validators.validatorSetAt(height);
    this.set = set;
    if (this.schedule?.set !== set || this.scheduleStart !== startHeight) {
      this.schedule = new ProposerSchedule(set, startHeight);
      this.scheduleStart = startHeight;
    }
    this.verdicts.clear();
    this.own.clear();
  }

  /** Starts the machine at the entered height, where this validator was there before a restart. */
  private async startMachine(): Promise<void> {
    const height = this.height;
    this.started = true;
    const { resume, prevotes, lastVote } = this.signer.resumeAt(height);
    await this.feed({
      kind: "start",
      height,
      set: this.set as ValidatorSet,
      schedule: this.schedule as ProposerSchedule,
      ...(resume ? { resume } : {}),
    });
    for (const vote of prevotes) await this.feed({ kind: "vote", vote });
    if (lastVote !== undefined) {
      this.send(lastVote.bytes);
      await this.feed({ kind: "vote", vote: lastVote.vote });
    }
    for (const m of this.future.take(height)) await this.receive(m.bytes, m.from);
  }

  private async receive(bytes: Uint8Array, from: string): Promise<void> {
    let bundle: Uint8Array[] | null;
    try {
      const decision = decodeDecision(bytes, this.limits);
      if (decision !== null) {
        if (decision.height > this.height) this.options.onAhead?.(decision.height);
        await this.applyDecision(decision.height, decision.value, decision.certificate, from);
        return;
      }
      bundle = decodeBundle(bytes, this.limits);
    } catch (e) {
      if (e instanceof ConsensusDecodeError) return this.options.onInvalid?.(from, e);
      throw e;
    }
    if (bundle === null) return this.receiveOne(bytes, from);
    for (const inner of bundle) await this.receiveOne(inner, from);
  }

  private async receiveOne(bytes: Uint8Array, from: string): Promise<void> {
    let message: ConsensusMessage;
    try {
      message = decodeMessage(bytes, this.limits);
    } catch (e) {
      if (e instanceof ConsensusDecodeError) return this.options.onInvalid?.(from, e);
      throw e;
    }
    const height = messageHeight(message);
    if (height === this.height - 1 && message.kind === "vote") this.gatherLate(message.vote, from);
    if (height < this.height) {
      // A peer behind, not too far: send it the decision of its height, if this node still holds it.
      if (height < this.height - (this.options.answerHeights ?? KEPT_DECISIONS)) return;
      const d = this.decisions.answer(height, this.options.committed);
      if (d !== undefined) this.options.transport.broadcast(encodeDecision(d, this.own.nextNonce()));
      return;
    }
    if (this.set === null) return;
    if (height > this.height) this.options.onAhead?.(height);
    if (height > this.height || !this.started || this.machine.decided) {
      const forged = this.future.offer(message, { bytes, from, height }, this.height);
      if (forged !== null) this.options.onInvalid?.(from, forged);
      return;
    }
    const error = checkMessage(this.options.chainId, message, this.set);
    if (error !== null) return this.options.onInvalid?.(from, error);
    if (message.kind === "vote") return this.feed({ kind: "vote", vote: message.vote });
    const valid = (await this.verdicts.judge(height, message.proposal.value)) === "valid";
    return this.feed({ kind: "proposal", proposal: message.proposal, valid });
  }

  /** A precommit for the committed height's block, after its decision: kept for the next proposal's certificate. */
  private gatherLate(vote: Vote, from: string): void {
    const last = this.lastCommit;
    if (last === null || last.height !== vote.height || last.fits(vote) !== "new") return;
    const error = checkMessage(this.options.chainId, { kind: "vote", vote }, last.set);
    if (error === null) last.add(vote);
    else this.options.onInvalid?.(from, error);
  }

  /**
   * The certificate of `height` with the precommits gathered since its decision, or null when
   * this node did not commit `height` last (the application then uses the stored one).
   */
  lastCommitOf(height: number): CommitCertificate | null {
    return this.lastCommit?.height === height ? this.lastCommit.certificate() : null;
  }

  private async feed(input: MachineInput): Promise<void> {
    for (const output of this.machine.handle(input)) await this.apply(output);
  }

  private async apply(o: MachineOutput): Promise<void> {
    const { chainId, app } = this.options;
    switch (o.kind) {
      case "sign-proposal": {
        const { height, round } = o.proposal;
        const bytes = proposalSigningBytes(chainId, o.proposal);
        const signature = this.signer.sign(height, round, Step.Propose, bytes, o.lock);
        if (signature === null) return;
        const proposal = { ...o.proposal, signature };
        this.send(encodeProposal(proposal));
        if (proposal.polRound >= 0) {
          // Peers that missed the polka (a restart, a partition) need it to accept the proposal (line 28).
          const pol = this.machine.polkaVotes(proposal.polRound, proposal.value.hash).map(encodeVote);
          this.own.keepPol(pol);
          for (const m of pol) this.options.transport.broadcast(m);
        }
        this.verdicts.proposed(proposal.value);
        return this.feed({ kind: "proposal", proposal, valid: true });
      }
      case "sign-vote": {
        const step = o.vote.type === VoteType.Prevote ? Step.Prevote : Step.Precommit;
        this.signer.keepPolka(this.machine, o.vote.height, o.lock);
        const bytes = voteSigningBytes(chainId, o.vote);
        const signature = this.signer.sign(o.vote.height, o.vote.round, step, bytes, o.lock, (sig) =>
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
          void this.tasks.enqueue(() => this.feed({ kind: "timeout", height, round, step }));
        });
        return;
      }
      case "request-value": {
        const value = await app.proposeValue(o.height, o.round, this.lastCommitOf(o.height - 1));
        return this.feed({ kind: "value", height: o.height, round: o.round, value });
      }
      case "decide": {
        const certificate = buildCertificate(o.precommits, (this.set as ValidatorSet).size);
        return this.commitAndAdvance(o.height, o.round, o.value, certificate, this.options.commitWaitMs ?? 0);
      }
      case "equivocation": {
        const evidence = this.evidence.fresh(o.first, o.second);
        if (evidence !== null) app.reportEvidence(evidence);
        return;
      }
    }
  }

  /**
   * Commits `height`, enters the next one and starts the machine there `waitMs` later, in a
   * task of its own, never inside this one: a lone validator's heights follow one another
   * through the clock and the queue instead of in one task that never ends. (After a synced
   * decision the next one usually arrives first, and the machine starts only at the last.)
   */
  private async commitAndAdvance(
    height: number,
    round: number,
    value: Value,
    cert: CommitCertificate,
    waitMs: number,
  ): Promise<void> {
    await this.options.app.commit(height, value, cert);
    this.decisions.keep({ height, value, certificate: cert });
    this.lastCommit = new LastCommit(cert, this.set as ValidatorSet);
    this.options.onCommit?.(height, round);
    const next = height + 1;
    this.enterHeight(next);
    // Through the clock even with no wait: a lone validator's heights would otherwise follow one
    // another in microtasks alone and starve the event loop.
    this.options.clock.schedule(waitMs, () => {
      void this.tasks.enqueue(async () => {
        if (this.height === next && !this.started) await this.startMachine();
      });
    });
  }
}
