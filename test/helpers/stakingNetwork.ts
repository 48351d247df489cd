/**
 * A staking contract configured as a validator network on a TestChain, with the real
 * end-of-block system step (src/chain/staking/endBlock.ts) run after each block.
 */
import assert from "node:assert/strict";
import type { Receipt } from "../../src/chain/receipt.js";
import {
  applyEndBlock,
  type EndBlockInput,
  type EndBlockResult,
  FEE_COLLECTOR,
} from "../../src/chain/staking/endBlock.js";
import type { VerifiedEquivocation } from "../../src/chain/staking/evidence.js";
import {
  epochLength,
  epochOfHeight,
  readValidatorSet,
  type ValidatorSet,
} from "../../src/chain/staking/validatorSet.js";
import type { Transaction } from "../../src/chain/transaction.js";
import type { Address } from "../../src/codec/address.js";
import { createVm, type Vm } from "../../src/vm/vm.js";
import { account } from "./chain.js";
import { type Contract, TestChain } from "./contracts.js";
import { registerArgs } from "./validators.js";

export const WAD = 10n ** 18n;
export const owner = account(1);
export const BLOCK_SECONDS = 5n;

export interface NetworkOptions {
  /** Each validator: its operator account number, commission and self-delegation. */
  validators: Array<{ n: number; commissionBps: number; stake: bigint }>;
  activeSize?: number;
  epochLength?: bigint;
  jailSeconds?: bigint;
  evidenceAge?: bigint;
  blockReward?: bigint;
  unbondingPeriod?: bigint;
}

export class Network {
  /** Calls between blocks (setup, views) pay their fees elsewhere: only blocks' fees reach the collector. */
  readonly chain = new TestChain(40, { height: 1n });
  readonly staking: Contract;
  readonly vm: Vm = createVm();
  readonly validators: Address[] = [];
  /** Minted at the end of each block (tests may change it between blocks). */
  blockReward: bigint;

  constructor(options: NetworkOptions) {
    this.blockReward = options.blockReward ?? 0n;
    this.staking = this.chain.deploy(
      "staking",
      [options.unbondingPeriod ?? 21n * 86_400n, WAD / 20n, WAD / 100n],
      owner,
    );
    for (const [i, v] of options.validators.entries()) {
      const who = account(v.n);
      this.validators.push(who);
      this.ok(this.send(who, "register", registerArgs(who, v.commissionBps, i)));
      if (v.stake > 0n) this.ok(this.send(who, "delegate", [who], v.stake));
    }
    this.ok(
      this.send(owner, "configureNetwork", [
        options.activeSize ?? 4,
        options.epochLength ?? 10n,
        options.jailSeconds ?? 600n,
        options.evidenceAge ?? 100n,
      ]),
    );
  }

  /** Sends a call in its own block (no fee). */
  send(from: Address, method: string, args: unknown[], value = 0n) {
    return this.staking.send(from, method, args, { value, gasPrice: 0n, gasLimit: 50_000_000 });
  }

  ok(outcome: { receipt: Receipt; error?: unknown }): void {
    assert.equal(outcome.receipt.status, "success", JSON.stringify(outcome.error));
  }

  view(method: string, args: unknown[] = []): unknown {
    return this.staking.view(method, args);
  }

  /** Runs `txs` as the current block, then the end-of-block step; moves to the next height. */
  block(
    input: Partial<EndBlockInput> & { proposer: Address },
    txs: Transaction[] = [],
  ): EndBlockResult & { receipts: Receipt[] } {
    const outside = this.chain.block.feeRecipient;
    this.chain.setBlock({ feeRecipient: FEE_COLLECTOR });
    const ctx = this.chain.block;
    const receipts = txs.length > 0 ? this.chain.run(txs).receipts : [];
    const end = applyEndBlock(
      this.vm,
      ctx,
      this.chain.state,
      new Map(),
      { staking: this.staking.address, blockReward: this.blockReward },
      { evidence: [], ...input },
    );
    this.chain.state.apply(end.writeSet);
    this.chain.setBlock({ height: ctx.height + 1n, time: ctx.time + BLOCK_SECONDS, feeRecipient: outside });
    return { ...end, receipts };
  }

  /** A block whose certificate (of the block before) was signed by the set members `signed` (indices). */
  signedBlock(proposer: Address, signed: number[], evidence: VerifiedEquivocation[] = []): EndBlockResult {
    const height = this.chain.block.height;
    if (height === 1n) return this.block({ proposer, evidence });
    const set = this.setAt(height - 1n);
    return this.block({
      proposer,
      evidence,
      lastCommit: { height: height - 1n, signers: bitmap(set, signed) },
    });
  }

  /** A block signed by every member of the certified block's set. */
  fullBlock(proposer: Address): EndBlockResult {
    const height = this.chain.block.height;
    const size = height === 1n ? 0 : this.setAt(height - 1n).validators.length;
    return this.signedBlock(
      proposer,
      Array.from({ length: size }, (_, i) => i),
    );
  }

  /** The validator set that signs `height`. */
  setAt(height: bigint): ValidatorSet {
    const read = (k: string) => this.chain.state.get(k);
    const epoch = epochOfHeight(height, epochLength(read, this.staking.address));
    return readValidatorSet(read, this.staking.address, epoch);
  }

  /** The newest set. */
  set(): ValidatorSet {
    return readValidatorSet((k) => this.chain.state.get(k), this.staking.address);
  }
}

export function bitmap(set: ValidatorSet, signed: number[]): Uint8Array {
  const out = new Uint8Array(Math.ceil(set.validators.length / 8));
  for (const i of signed) out[i >> 3] = (out[i >> 3] as number) | (1 << (i & 7));
  return out;
}
