/**
 * The node as consensus's application (`ConsensusApplication`): instead of producing a block
 * on a timer, a validator
 *   - proposes (getValue): selects from its pool and builds the block on the committed head
 *     with the producer's own builder (`buildBlock.ts`), committing nothing;
 *   - validates (valid(v)): decodes the proposed block (`blockValue.ts`), checks its parent,
 *     number, time and base fee, re-executes its transactions on the parallel engine and
 *     requires the same header hash — so the same state, tx and receipts roots — and that
 *     the block gas limit (on gas used) and the receipt bound cut none of them: a proposal's
 *     transactions are exactly the prefix its proposer kept (`blockCandidates.ts`);
 *   - commits the decided block with its certificate in one LMDB transaction
 *     (`certificateStore.ts`), then makes the Merkle update the tree's and cleans the pool,
 *     exactly as the producer does after its commit.
 * A block built for a value is kept (by header hash, with the value's bytes) until the height
 * is committed, so the proposer and every validator that checked the value commit without
 * executing it again. Only the same bytes find it: a value's hash is what its bytes declare,
 * so other bytes under that hash (a forgery beside a real certificate) are checked themselves.
 *
 * On a validator network (a staking genesis) the block also carries what the end-of-block
 * staking step needs: its proposer, the certificate of the block before (who signed: rewards
 * and downtime) and double-sign evidence this node saw. Validators check the certificate
 * against the previous height's set and block hash, and the evidence against the chain
 * (`evidenceCheck.ts`: its height's set, its age, not punished already; evidence that does
 * not hold makes the block invalid), before executing the block with them. Evidence comes
 * from this node's consensus and from gossip (`evidenceGossip.ts`), held in `evidence`.
 */
import type { BlockContext } from "../../chain/blockContext.js";
import type { EndBlockInput } from "../../chain/staking/endBlock.js";
import { EvidenceError } from "../../chain/staking/evidence.js";
import type { ValidatorSet as StakingSet } from "../../chain/staking/validatorSet.js";
import type { Address } from "../../codec/address.js";
import { equalBytes, fromHex } from "../../codec/bytes.js";
import { keccak256 } from "../../codec/hash.js";
import { type CommitCertificate, verifyCertificate } from "../../consensus/certificate.js";
import type { DuplicateVoteEvidence } from "../../consensus/evidence.js";
import type { ConsensusApplication, ValidatorSetSource, ValueJudgement } from "../../consensus/interfaces.js";
import type { Value } from "../../consensus/types.js";
import { EthTxError } from "../../evm/errors.js";
import { decodeEthTx, type EthTx } from "../../evm/ethTx.js";
import { AdmissionError, decodeRaw, type PendingTx } from "../admission.js";
import { proposalProblem, selectCandidates } from "../blockCandidates.js";
import { buildProposal, describe, stageAndCommit } from "../blockFault.js";
import { type BuiltBlock, buildBlock } from "../buildBlock.js";
import type { ChainNode } from "../chainNode.js";
import type { PoolTx } from "../mempool/index.js";
import { isEthRaw, pendingBlockGas } from "../pendingTx.js";
import { nextBlockContext, type ProducerDeps, readSequence } from "../producer.js";
import { type BlockHeader, hex } from "../store/records.js";
import { type BlockValue, decodeBlockValue, encodeBlockValue, MAX_BLOCK_EVIDENCE } from "./blockValue.js";
import { attachCertificate, attachValue, readCertificate } from "./certificateStore.js";
import { chainEvidencePool, checkBlockEvidence, type EvidenceContext } from "./evidenceCheck.js";
import { judgedHeight } from "./evidenceGossip.js";
import type { EvidencePool } from "./evidencePool.js";

export interface ChainApplicationOptions {
  /** This validator's BLS public key (its index in each height's set is the block's proposer). */
  publicKey?: Uint8Array;
  /** The sets by height: the staking contract's on a validator network. */
  validators: ValidatorSetSource & { stakingSetAt?(height: number): StakingSet };
  /** Where this validator's fees go when it proposes (default: the node's fee recipient). */
  feeRecipient?: Address;
  /** A proposed block's time may be at most this far ahead of the local clock, seconds (default 30). */
  maxClockDriftS?: number;
  /** New double-sign evidence this node's consensus saw and now holds (to gossip it). */
  onEvidence?: (evidence: DuplicateVoteEvidence) => void;
  log?: (level: "info" | "warn", message: string, fields?: Record<string, unknown>) => void;
}

export class ChainApplication implements ConsensusApplication {
  private readonly built = new Map<string, { bytes: Uint8Array; block: BuiltBlock }>();
  /** Double-sign evidence held for the next block this node proposes (null: not a staking network). */
  readonly evidence: EvidencePool | null;
  private readonly evidenceContext: EvidenceContext | null;

  constructor(
    private readonly node: ChainNode,
    private readonly options: ChainApplicationOptions,
  ) {
    const staking = node.genesis.network?.staking;
    const source = options.validators;
    const stakingSetAt = source.stakingSetAt?.bind(source);
    const ctx: EvidenceContext | null =
      staking === undefined || stakingSetAt === undefined
        ? null
        : {
            read: (key) => node.state.get(key),
            staking,
            chainId: node.options.chainId,
            validators: { validatorSetAt: (h) => source.validatorSetAt(h), stakingSetAt },
          };
    this.evidenceContext = ctx;
    this.evidence = ctx === null ? null : chainEvidencePool(ctx);
  }

  proposeValue(height: number, _round = 0, gathered: CommitCertificate | null = null): Promise<Value> {
    return this.node.exclusive(async () => {
      const deps = this.node.blockDeps();
      const head = this.head(deps, height);
      const nextSequence = (sender: string, key: bigint) => readSequence(deps.state, sender, key);
      const time = Math.max(Math.floor(this.node.clock.nowMs() / 1000), head.time);
      const ctx = this.context(deps, head, time, this.options.feeRecipient ?? deps.feeRecipient);
      const baseFee = ctx.baseFee ?? 0n;
      const ready = selectCandidates(deps.mempool, nextSequence, {
        blockGasLimit: deps.blockGasLimit,
        maxBlockTxs: deps.maxBlockTxs,
        baseFee,
      });
      const set = this.options.validators.validatorSetAt(height).set;
      const proposer = this.options.publicKey === undefined ? undefined : set.indexOf(this.options.publicKey);
      if (proposer === undefined) throw new Error("this node is not a validator of the height's set");
      const lastCommit = head.number === 0 ? null : this.lastCommitOf(deps, head, gathered);
      const evidence = this.evidence?.forBlock(height, MAX_BLOCK_EVIDENCE) ?? [];
      const staked = this.withEndBlock(deps, height, proposer, lastCommit, evidence);
      const built = await buildProposal(
        staked,
        head,
        ready,
        { ...ctx, preverified: new Set(ready.flatMap((p) => p.tx.verified ?? [])) },
        (culprit, error) => {
          deps.mempool.removeIncluded([culprit.hash]);
          this.options.log?.("warn", "proposal: dropped a transaction at fault", {
            height,
            dropped: culprit.hash,
            error: describe(error),
          });
        },
      );
      const value = encodeBlockValue({
        number: height,
        parentHash: head.hash,
        time,
        feeRecipient: ctx.feeRecipient,
        baseFee,
        headerHash: built.block.header.hash,
        proposer,
        lastCommit,
        evidence,
        rawTxs: built.included.map((p) => p.tx.raw),
      });
      this.built.set(built.block.header.hash, { bytes: value.bytes, block: built });
      return value;
    });
  }

  async validateValue(height: number, value: Value): Promise<boolean> {
    return (await this.judgeValue(height, value)) === "valid";
  }

  /**
   * valid(v), and whose fault a refusal is: "unjudged" when this node cannot tell (its clock
   * is behind the block's time, its head is not the block's parent height), "invalid" for
   * everything the value's bytes decide.
   */
  judgeValue(height: number, value: Value): Promise<ValueJudgement> {
    return this.node.exclusive(async () => {
      try {
        return (await this.check(height, value)) !== undefined ? "valid" : "invalid";
      } catch (error) {
        this.options.log?.("warn", "proposed block refused", { height, error: String(error) });
        return error instanceof UnjudgedValue ? "unjudged" : "invalid";
      }
    });
  }

  commit(height: number, value: Value, certificate: CommitCertificate): Promise<void> {
    return this.node.exclusive(async () => {
      const built = await this.check(height, value);
      if (built === undefined)
        throw new Error(`decided block ${hex(value.hash)} at ${height} does not re-execute to its hash`);
      const deps = this.node.blockDeps();
      attachCertificate(built.encoded, certificate);
      attachValue(built.encoded, height, value.bytes);
      const t0 = performance.now();
      await stageAndCommit(deps, built);
      const commitMs = performance.now() - t0;
      deps.tree.commit(built.merkle);
      this.built.clear();
      this.evidence?.committed(decodeBlockValue(value.bytes).evidence, height + 1);
      deps.mempool.removeIncluded(built.block.txHashes);
      deps.mempool.dropStale((sender, key) => readSequence(deps.state, sender, key));
      this.node.publish({ block: built.block, receipts: built.receipts, dropped: [], commitMs });
    });
  }

  /** Consensus saw `evidence`: held for a block and gossiped when it is new and holds. */
  reportEvidence(evidence: DuplicateVoteEvidence): void {
    if (this.evidence === null || this.evidence.has(evidence)) return;
    try {
      const current = this.node.head().number + 1;
      if (this.evidence.add(evidence, judgedHeight(evidence, current)) === "added")
        this.options.onEvidence?.(evidence);
    } catch (error) {
      if (!(error instanceof EvidenceError)) throw error;
      this.options.log?.("info", "double-sign evidence not held", { error: error.message });
    }
  }

  /** The built block of a valid value, or undefined when it is not valid (a throw says why). */
  private async check(height: number, value: Value): Promise<BuiltBlock | undefined> {
    const key = hex(value.hash);
    const cached = this.built.get(key);
    if (cached !== undefined && equalBytes(cached.bytes, value.bytes)) return cached.block;
    const deps = this.node.blockDeps();
    const head = this.head(deps, height);
    // Cheap checks first, execution last: everything up to it reads the value and the head only.
    const b: BlockValue = decodeBlockValue(value.bytes);
    if (b.headerHash !== key) throw new Error("the value's id is not its header hash");
    if (b.number !== height || b.parentHash !== head.hash)
      throw new Error(`not a child of the head ${head.number}`);
    if (b.time < head.time) throw new Error(`block time ${b.time} is before its parent's ${head.time}`);
    const now = Math.floor(this.node.clock.nowMs() / 1000);
    if (b.time > now + (this.options.maxClockDriftS ?? 30))
      throw new UnjudgedValue(`block time ${b.time} is too far ahead of this node's clock (${now})`);
    const ctx = this.context(deps, head, b.time, b.feeRecipient);
    if (ctx.baseFee !== b.baseFee) throw new Error(`base fee ${b.baseFee}, the rule gives ${ctx.baseFee}`);
    this.checkLastCommit(deps, head, b.lastCommit);
    const candidates = b.rawTxs.map((raw) => candidate(raw, deps.chainId));
    // Before any execution: its transactions are bounded as a proposer's own candidates are
    // (the execution then stops at the block's cut).
    const tooMuch = proposalProblem(candidates, {
      blockGasLimit: deps.blockGasLimit,
      maxBlockTxs: deps.maxBlockTxs,
    });
    if (tooMuch !== undefined) throw new Error(tooMuch);
    const built = await buildBlock(
      this.withEndBlock(deps, height, b.proposer, b.lastCommit, b.evidence),
      head,
      candidates,
      ctx,
    );
    // A proposal is exactly the prefix its proposer kept: re-executed by the same rule, none
    // of it is cut (a cut here means it holds more gas used, or receipts, than a block may).
    if (built.deferred > 0)
      throw new Error(`its last ${built.deferred} transactions are past the block's gas or receipt bound`);
    if (built.block.header.hash !== key || built.dropped.length > 0) return undefined;
    this.built.set(key, { bytes: value.bytes, block: built });
    return built;
  }

  /**
   * The certificate this proposal carries for its parent: the one consensus grew with late
   * precommits after deciding the parent, when it is the parent's, else the stored one.
   */
  private lastCommitOf(
    deps: ProducerDeps,
    head: BlockHeader,
    gathered: CommitCertificate | null,
  ): CommitCertificate | null {
    if (gathered !== null && gathered.height === head.number && hex(gathered.blockHash) === head.hash)
      return gathered;
    return readCertificate(deps.db, head.number) ?? null;
  }

  /** Block 1 carries no certificate; every later block carries a valid one of its parent. */
  private checkLastCommit(deps: ProducerDeps, head: BlockHeader, cert: CommitCertificate | null): void {
    if (head.number === 0) {
      if (cert !== null) throw new Error("block 1 carries a certificate");
      return;
    }
    if (cert === null)
      throw new Error(`block ${head.number + 1} carries no certificate of block ${head.number}`);
    const set = this.options.validators.validatorSetAt(head.number).set;
    verifyCertificate(cert, set, deps.chainId.toString(), {
      height: head.number,
      blockHash: fromHex(head.hash),
    });
  }

  /**
   * The deps with the end-of-block step fed this block's consensus facts (a network chain);
   * unchanged on a chain without one. Evidence that does not verify makes the block invalid.
   */
  private withEndBlock(
    deps: ProducerDeps,
    height: number,
    proposer: number,
    lastCommit: CommitCertificate | null,
    evidence: readonly DuplicateVoteEvidence[],
  ): ProducerDeps {
    const set = this.options.validators.validatorSetAt(height).set;
    if (proposer >= set.size) throw new Error(`proposer ${proposer} is outside the set of ${set.size}`);
    const step = deps.network;
    const ctx = this.evidenceContext;
    if (step === undefined || ctx === null) return deps;
    const members = ctx.validators.stakingSetAt(height).validators;
    const input: EndBlockInput = {
      proposer: (members[proposer] as StakingSet["validators"][number]).address,
      ...(lastCommit === null
        ? {}
        : { lastCommit: { height: BigInt(lastCommit.height), signers: lastCommit.signers } }),
      evidence: checkBlockEvidence(evidence, height, ctx),
    };
    return { ...deps, network: { ...step, input: () => input } };
  }

  private head(deps: ProducerDeps, height: number): BlockHeader {
    const head = deps.db.head();
    if (head === undefined || head.number + 1 !== height) {
      throw new UnjudgedValue(`consensus is at height ${height} but the chain's head is ${head?.number}`);
    }
    return head;
  }

  private context(deps: ProducerDeps, head: BlockHeader, time: number, feeRecipient: Address): BlockContext {
    // `time` is at least `head.time` here (chosen so, or checked before).
    return nextBlockContext(head, deps.db, deps.chainId, feeRecipient, deps.minBaseFee, time * 1000);
  }
}

/** A value this node could not judge, through no fault of the value's (its clock, its head). */
class UnjudgedValue extends Error {
  override name = "UnjudgedValue";
}

/** A proposed transaction as the builder takes it (decoded, not admitted: execution checks it). */
function candidate(raw: Uint8Array, chainId: bigint): PoolTx<PendingTx> {
  const hash = hex(keccak256(raw));
  if (isEthRaw(raw)) {
    let eth: EthTx;
    try {
      eth = decodeEthTx(raw, chainId);
    } catch (error) {
      if (error instanceof EthTxError) throw new AdmissionError("DECODE", `${error.code}: ${error.message}`);
      throw error;
    }
    const f = eth.fields;
    const tx = { eth, raw, hash };
    return {
      hash,
      sender: eth.from,
      nonceKey: 0n,
      sequence: f.nonce,
      price: 0n,
      gasLimit: pendingBlockGas(tx),
      size: raw.length,
      tx,
      receivedAt: 0,
    };
  }
  const envelope = decodeRaw(raw);
  return {
    hash,
    sender: envelope.sender,
    nonceKey: envelope.nonceKey,
    sequence: envelope.nonceSequence,
    price: 0n,
    gasLimit: Number(envelope.gasLimit),
    size: raw.length,
    tx: { envelope, raw, hash },
    receivedAt: 0,
  };
}
