/**
 * The end-of-block system step of a validator network: part of every block's state
 * transition, run after the block's transactions on the state they left (whichever
 * engine ran them: the step sees only the pre-block state and the block's write set, so
 * parallel and sequential execution give the same result), before the state root is
 * computed. In order:
 *
 * 1. each piece of double-signing evidence the node verified (`evidence.ts`) calls
 *    `slashEquivocation(validator, height)`: 5% slashed, tombstoned;
 * 2. the block's fees (collected at `FEE_COLLECTOR`, the network's fee recipient) and the
 *    block reward (minted) move to the staking contract, and `endBlock(proposer,
 *    certified height, signer bitmap, amount)` records downtime from the commit
 *    certificate the block carries, pays the rewards by reward per share with commission,
 *    and at an epoch boundary computes the next validator set.
 *
 * Each call runs as the protocol (the zero address, which no transaction can send as)
 * with `SYSTEM_CALL_GAS`. A call that fails undoes only itself (for `endBlock`, the
 * minting and the fee move too: the fees wait at the collector for the next block), and
 * its outcome is returned, so a bad input never halts the chain and every node computes
 * the same thing.
 */

import { staking as stakingBinding } from "../../bindings/staking.gen.js";
import type { Address } from "../../codec/address.js";
import { addressFromBytes } from "../../codec/address.js";
import { utf8 } from "../../codec/bytes.js";
import { keccak256 } from "../../codec/hash.js";
import type { StateKey, StateValue } from "../../state/keys.js";
import type { StateReader, WriteSet } from "../../state/storage.js";
import type { CallStatus } from "../../vm/callContract.js";
import { type LogEvent, TxState } from "../../vm/txState.js";
import { PROTOCOL_CALLER, type Vm } from "../../vm/vm.js";
import type { BlockContext } from "../blockContext.js";
import type { VerifiedEquivocation } from "./evidence.js";

/** The fee recipient of every block on a validator network; emptied into the rewards at each block's end. */
export const FEE_COLLECTOR: Address = addressFromBytes(keccak256(utf8("weft/fee-collector")).subarray(12));

/** Gas for each system call (bounded work: at most 128 validators). */
export const SYSTEM_CALL_GAS = 1_000_000_000;

export interface NetworkConfig {
  /** The staking contract configured as the network's registry. */
  staking: Address;
  /** Coin minted to the validators at the end of every block. */
  blockReward: bigint;
}

export interface EndBlockInput {
  /** The operator address of the validator that proposed the block. */
  proposer: Address;
  /** The commit certificate the block carries (of the block before it); absent in the first block. */
  lastCommit?: { height: bigint; signers: Uint8Array };
  /** Double-signing evidence included in the block, verified by the node. */
  evidence: readonly VerifiedEquivocation[];
}

export interface SystemCall {
  method: "slashEquivocation" | "endBlock";
  status: CallStatus;
  gasUsed: number;
  /** Revert data when the call failed. */
  output: Uint8Array;
  events: LogEvent[];
}

export interface EndBlockResult {
  /** The block's write set with the step's writes applied. */
  writeSet: WriteSet;
  calls: SystemCall[];
  /** Coin minted (the block reward), 0 if `endBlock` failed. */
  minted: bigint;
  /** Fees moved from the collector to the rewards, 0 if `endBlock` failed. */
  fees: bigint;
}

/** Runs the end-of-block step over the pre-block state `pre` and the block's `blockWrites`. */
export function applyEndBlock(
  vm: Vm,
  block: BlockContext,
  pre: StateReader,
  blockWrites: WriteSet,
  config: NetworkConfig,
  input: EndBlockInput,
): EndBlockResult {
  const state = new TxState({
    read(key: StateKey): StateValue | undefined {
      const written = blockWrites.get(key);
      if (written !== undefined) return written === null ? undefined : written;
      return pre.get(key);
    },
  });
  const calls: SystemCall[] = [];
  const call = (method: SystemCall["method"], args: Uint8Array): boolean => {
    const firstEvent = state.events.length;
    const out = vm.call(state, block, {
      caller: PROTOCOL_CALLER,
      target: config.staking,
      method,
      input: args,
      value: 0n,
      gasLimit: SYSTEM_CALL_GAS,
    });
    calls.push({
      method,
      status: out.status,
      gasUsed: out.gasUsed,
      output: out.status === "success" ? new Uint8Array(0) : out.data,
      events: state.events.slice(firstEvent),
    });
    return out.status === "success";
  };

  for (const e of input.evidence)
    call("slashEquivocation", stakingBinding.slashEquivocation.encode(e.validator, e.height));

  const before = state.snapshot();
  const fees = state.balanceOf(FEE_COLLECTOR);
  if (fees > 0n) state.setBalance(FEE_COLLECTOR, 0n);
  const amount = fees + config.blockReward;
  state.setBalance(config.staking, state.balanceOf(config.staking) + amount);
  const commit = input.lastCommit ?? { height: 0n, signers: new Uint8Array(0) };
  const paid = call(
    "endBlock",
    stakingBinding.endBlock.encode(input.proposer, commit.height, commit.signers, amount),
  );
  if (!paid) state.revertTo(before);

  const writeSet: WriteSet = new Map(blockWrites);
  for (const [key, value] of state.writes) writeSet.set(key, value);
  return { writeSet, calls, minted: paid ? config.blockReward : 0n, fees: paid ? fees : 0n };
}
