import { isCanonicalAddress } from "../codec/address.js";
import type { StateView, TxExecutor, TxOutput } from "../engine/types.js";
import { type EvmRunner, evmRunnerForThread } from "../evm/evmRunner.js";
import { ethIntrinsicGas } from "../evm/intrinsicGas.js";
import type { CallOutcome } from "../vm/callContract.js";
import { GAS } from "../vm/gasSchedule.js";
import { MAX_TX_GAS } from "../vm/limits.js";
import { TxState } from "../vm/txState.js";
import { createVm, type DeployOutcome, PROTOCOL_CALLER, type Vm, type VmOptions } from "../vm/vm.js";
import { transferRefusal } from "../vm/vmErrors.js";
import type { BlockContext } from "./blockContext.js";
import { evmFromWasm } from "./evmFromWasm.js";
import { envelopeIntrinsicGas, executeEnvelope } from "./executeEnvelope.js";
import { executeEthTx } from "./executeEthTx.js";
import type { InvalidCode } from "./invalidCode.js";
import type { Receipt } from "./receipt.js";
import type { AccountTx, EthTx, Transaction } from "./transaction.js";
import { invalidOutput, txDeltas } from "./txOutput.js";

const U128_MAX = (1n << 128n) - 1n;
const ZERO_SALT = new Uint8Array(32);
const EMPTY = new Uint8Array(0);

/** Gas charged before anything runs: a base, the payload bytes, and for deployments the code. */
export function intrinsicGas(tx: Transaction): number {
  switch (tx.kind) {
    case "account":
      return envelopeIntrinsicGas(tx.envelope);
    case "eth": {
      const { intrinsic, floor } = ethIntrinsicGas(tx.fields);
      return Math.max(intrinsic, floor);
    }
    case "transfer":
      return GAS.TX_BASE + GAS.TRANSFER_TX;
    case "call":
      return GAS.TX_BASE + GAS.TX_BYTE * (tx.args.length + tx.method.length);
    case "deploy":
      return (
        GAS.TX_BASE +
        GAS.DEPLOY +
        GAS.COMPILE_MODULE +
        GAS.DEPLOY_BYTE * tx.code.length +
        GAS.TX_BYTE * tx.args.length
      );
  }
}

/** The transaction kinds signed by a plain key (the `from` field). */
type KeyTransaction = Exclude<Transaction, AccountTx | EthTx>;

function valueSent(tx: KeyTransaction): bigint {
  return tx.kind === "transfer" ? tx.amount : tx.value;
}

/** Why `tx` cannot run at all, judged without state; undefined if it can. */
export function statelessCheck(tx: KeyTransaction): { code: InvalidCode; reason: string } | undefined {
  const malformed = (reason: string) => ({ code: "MALFORMED" as const, reason });
  if (!isCanonicalAddress(tx.from))
    return malformed(`sender ${JSON.stringify(tx.from)} is not an address (0x + 40 lowercase hex)`);
  // The zero address is the protocol's own caller (paymaster settlement): nobody may send as it.
  if (tx.from === PROTOCOL_CALLER) return malformed("sender is the zero address (reserved for the protocol)");
  if (tx.kind !== "deploy" && !isCanonicalAddress(tx.to)) {
    return malformed(`recipient ${JSON.stringify(tx.to)} is not an address (0x + 40 lowercase hex)`);
  }
  const intrinsic = intrinsicGas(tx);
  if (!Number.isSafeInteger(tx.gasLimit) || tx.gasLimit < intrinsic) {
    return {
      code: "GAS_LIMIT_LOW",
      reason: `gas limit ${tx.gasLimit} is below the intrinsic gas ${intrinsic}`,
    };
  }
  if (tx.gasLimit > MAX_TX_GAS)
    return { code: "GAS_LIMIT_HIGH", reason: `gas limit ${tx.gasLimit} is above the maximum ${MAX_TX_GAS}` };
  if (tx.gasPrice < 0n || tx.gasPrice > U128_MAX)
    return malformed(`gas price ${tx.gasPrice} is out of range`);
  const value = valueSent(tx);
  if (value < 0n || value > U128_MAX) return malformed(`value ${value} is out of range`);
  if (tx.kind === "deploy" && tx.salt !== undefined && tx.salt.length !== 32) {
    return malformed(`salt must be 32 bytes, got ${tx.salt.length}`);
  }
  return undefined;
}

/** Executes one transaction against `view`; never throws for a bad transaction. */
export function executeTransaction(
  vm: Vm,
  block: BlockContext,
  view: StateView,
  tx: Transaction,
  evm: () => EvmRunner = evmRunnerForThread,
): TxOutput<Receipt> {
  if (tx.kind === "account") return executeEnvelope(vm, block, view, tx.envelope, tx.raw, tx.carried);
  if (tx.kind === "eth") return executeEthTx(evm(), block, view, tx, vm);
  const problem = statelessCheck(tx);
  if (problem !== undefined) return invalidOutput(problem.code, problem.reason);
  const state = new TxState(view);
  const maxCost = BigInt(tx.gasLimit) * tx.gasPrice + valueSent(tx);
  const balance = state.balanceOf(tx.from);
  if (balance < maxCost)
    return invalidOutput(
      "INSUFFICIENT_FUNDS",
      `insufficient funds: balance ${balance}, needs ${maxCost} (gas limit × price + value)`,
    );

  const intrinsic = intrinsicGas(tx);
  const execGas = tx.gasLimit - intrinsic;
  let outcome: CallOutcome | DeployOutcome;
  switch (tx.kind) {
    case "transfer":
      // The sender can pay (checked above): only a recipient past u128 refuses it.
      outcome = state.transfer(tx.from, tx.to, tx.amount)
        ? { status: "success", data: EMPTY, gasUsed: 0 }
        : { status: "revert", data: transferRefusal(state, tx.from, tx.to, tx.amount), gasUsed: 0 };
      break;
    case "call":
      outcome = vm.call(state, block, {
        caller: tx.from,
        target: tx.to,
        method: tx.method,
        input: tx.args,
        value: tx.value,
        gasLimit: execGas,
      });
      break;
    case "deploy":
      outcome = vm.deploy(state, block, {
        deployer: tx.from,
        code: tx.code,
        args: tx.args,
        salt: tx.salt ?? ZERO_SALT,
        value: tx.value,
        gasLimit: execGas,
      });
      break;
  }

  const gasUsed = intrinsic + outcome.gasUsed;
  const fee = BigInt(gasUsed) * tx.gasPrice;
  state.setBalance(tx.from, state.balanceOf(tx.from) - fee);
  const deltas = txDeltas(state, block.feeRecipient, fee);
  const receipt: Receipt = {
    status: outcome.status,
    gasUsed,
    fee,
    events: state.events,
    output: outcome.data,
  };
  if ("address" in outcome && outcome.address !== undefined) receipt.contractAddress = outcome.address;
  return { receipt, writes: state.writes, deltas };
}

/** The chain's transactions as a `TxExecutor` for the engines. */
export function createChainExecutor(
  block: BlockContext,
  options: VmOptions & { vm?: Vm } = {},
): TxExecutor<Transaction, Receipt> {
  const vm = options.vm ?? createVm({ evm: evmFromWasm, ...options });
  return {
    execute: (view, tx) => {
      try {
        return executeTransaction(vm, block, view, tx);
      } finally {
        vm.endTransaction();
      }
    },
  };
}
