/**
 * Applying one Ethereum transaction (`evm/ethTx.ts`), beside Weft's own kinds
 * (`executeTransaction.ts`), with Ethereum's rules:
 *
 * 1. Checks without state: the chain id, gas limit within [max(intrinsic, EIP-7623
 *    floor), `EVM_MAX_TX_GAS`], init code within EIP-3860's limit, max priority fee at
 *    most the max fee, max fee at least the block's base fee. Then with state: the nonce
 *    is the account's next one (`05 ‖ address ‖ 0`), the sender has no code (EIP-3607),
 *    the balance covers gas limit × max fee + value. A transaction that fails any is
 *    `invalid`: no effect, no fee, no nonce.
 * 2. The gas limit × price is taken from the balance, then the EVM runs the message
 *    (`evm/evmRunner.ts`; it bumps the nonce), over the same `StateView` as every other
 *    transaction: each account field and storage slot it touches is one state key.
 * 3. Gas used: intrinsic + execution, less the refund (at most a fifth, EIP-3529), at least
 *    the floor. The unused gas is paid back; of the price, the base fee is burned and the
 *    priority part credited to the fee recipient as a delta, as for envelopes.
 *
 * Gas here is the EVM's own schedule. The price is min(max fee, base fee + max priority
 * fee) for type 2, the gas price for types 0 and 1.
 *
 * Weft's pricing (`evm/weftGas.ts`, on unless the runner follows Ethereum's conformance
 * vectors): the transaction counts `evmWeftGas` of its gas spent and steps against the block
 * (`Receipt.blockGas`), and pays for max(gas used, ⌈that / `EVM_GAS_WEIGHT`⌉) EVM gas at its
 * price: the fee always covers the block space at the base fee. The second is larger only
 * for code whose instructions cost more Weft gas than its EVM gas × `EVM_GAS_WEIGHT` (loops
 * of cheap instructions), and never above the gas limit (the step gas is capped).
 */
import type { StateView, TxOutput } from "../engine/types.js";
import { type EthTx, EVM_HARDFORK } from "../evm/ethTx.js";
import type { EvmBlock, EvmRunner, HostCall } from "../evm/evmRunner.js";
import { ethIntrinsicGas, MAX_INITCODE_SIZE } from "../evm/intrinsicGas.js";
import { evmWeftGas } from "../evm/weftGas.js";
import { codeHashKey, evmCodeHashKey } from "../state/keys.js";
import type { LogEvent } from "../vm/txState.js";
import type { Vm } from "../vm/vm.js";
import type { BlockContext } from "./blockContext.js";
import { EVM_GAS_WEIGHT, evmBlockOf } from "./evmBlock.js";
import type { InvalidCode } from "./invalidCode.js";
import type { Receipt, ReceiptStatus } from "./receipt.js";
import { feeRecipientDeltas, invalidOutput } from "./txOutput.js";
import { wasmFromEvm } from "./wasmFromEvm.js";

/** The most gas one Ethereum transaction may have (EIP-7825's cap, 2^24). */
export const EVM_MAX_TX_GAS = 16_777_216n;
const U64_MAX = (1n << 64n) - 1n;

function hex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}`;
}

/** Why `tx` cannot run in `block`, judged without state; undefined if it can. */
export function ethStatelessCheck(
  tx: EthTx,
  block: BlockContext,
): { code: InvalidCode; reason: string } | undefined {
  return ethStatelessCheckIn(tx, evmBlockOf(block), { hardfork: EVM_HARDFORK, maxTxGas: EVM_MAX_TX_GAS });
}

/** Intrinsic gas at `hardfork`: the calldata floor (EIP-7623) from Prague on. */
function intrinsicAt(f: EthTx["fields"], hardfork: string): { intrinsic: number; floor: number } {
  const gas = ethIntrinsicGas(f);
  return hardfork === "cancun" ? { intrinsic: gas.intrinsic, floor: 0 } : gas;
}

/** The chain's rules an Ethereum transaction is held to beyond its block. */
export interface EthTxRules {
  /** `EvmRunner.hardfork`. */
  hardfork: string;
  /** Weft: `EVM_MAX_TX_GAS`. */
  maxTxGas: bigint;
}

function ethStatelessCheckIn(
  tx: EthTx,
  block: EvmBlock,
  { hardfork, maxTxGas }: EthTxRules,
): { code: InvalidCode; reason: string } | undefined {
  const f = tx.fields;
  if (f.chainId !== block.chainId)
    return { code: "CHAIN_ID", reason: `signed for chain ${f.chainId}, this chain is ${block.chainId}` };
  if (f.to === undefined && f.data.length > MAX_INITCODE_SIZE)
    return {
      code: "INITCODE_TOO_LARGE",
      reason: `init code of ${f.data.length} bytes is over ${MAX_INITCODE_SIZE} (EIP-3860)`,
    };
  const { intrinsic, floor } = intrinsicAt(f, hardfork);
  const least = BigInt(Math.max(intrinsic, floor));
  if (f.gasLimit < least)
    return { code: "GAS_LIMIT_LOW", reason: `gas limit ${f.gasLimit} is below the intrinsic gas ${least}` };
  if (f.gasLimit > maxTxGas)
    return {
      code: "GAS_LIMIT_HIGH",
      reason: `gas limit ${f.gasLimit} is above the maximum ${maxTxGas}`,
    };
  if (f.gasLimit > block.gasLimit)
    return {
      code: "GAS_LIMIT_HIGH",
      reason: `gas limit ${f.gasLimit} is above the block's ${block.gasLimit} EVM gas (its gas limit / ${EVM_GAS_WEIGHT})`,
    };
  if (f.maxPriorityFeePerGas > f.maxFeePerGas)
    return {
      code: "MALFORMED",
      reason: `max priority fee ${f.maxPriorityFeePerGas} is above the max fee ${f.maxFeePerGas}`,
    };
  const baseFee = block.baseFee;
  if (f.maxFeePerGas < baseFee)
    return {
      code: "MAX_FEE_BELOW_BASE_FEE",
      reason: `max fee ${f.maxFeePerGas} is below the base fee ${baseFee}`,
    };
  if (f.nonce >= U64_MAX) return { code: "MALFORMED", reason: `nonce ${f.nonce} is at the EIP-2681 limit` };
  return undefined;
}

function statusOf(error: { error: string } | undefined): ReceiptStatus {
  if (error === undefined) return "success";
  return error.error === "out of gas" ? "outOfGas" : "revert";
}

/** Executes one Ethereum transaction against `view`; never throws for a bad transaction. */
export function executeEthTx(
  runner: EvmRunner,
  block: BlockContext,
  view: StateView,
  tx: EthTx,
  vm?: Vm,
): TxOutput<Receipt> {
  // With a WASM VM, EVM code can call WASM contracts (`wasmFromEvm.ts`).
  const host = vm === undefined ? undefined : wasmFromEvm(vm, block, runner.state);
  return executeEthTxIn(runner, evmBlockOf(block), view, tx, EVM_MAX_TX_GAS, host);
}

/**
 * Executes `tx` in the block as EVM code sees it (`env`: its base fee and gas limit in
 * EVM units, its coinbase credited with the tip). `executeEthTx` derives `env` from Weft's
 * block context; the conformance tests (`test/unit/evm/stateTests.test.ts`) give Ethereum's.
 */
export function executeEthTxIn(
  runner: EvmRunner,
  env: EvmBlock,
  view: StateView,
  tx: EthTx,
  maxTxGas = EVM_MAX_TX_GAS,
  host?: HostCall,
): TxOutput<Receipt> {
  const problem = ethStatelessCheckIn(tx, env, { hardfork: runner.hardfork, maxTxGas });
  if (problem !== undefined) return invalidOutput(problem.code, problem.reason);
  const f = tx.fields;
  const from = tx.from;
  const state = runner.state;
  state.begin(view);
  const next = state.nonceOf(from);
  const hasCode = view.read(evmCodeHashKey(from)) !== undefined || view.read(codeHashKey(from)) !== undefined;
  const balance = state.balanceOf(from);
  state.finish();
  if (f.nonce !== next) return invalidOutput("NONCE", `nonce ${f.nonce} is not the next one (${next})`);
  if (hasCode) return invalidOutput("SENDER_HAS_CODE", `sender ${from} has code (EIP-3607)`);
  const upfront = f.gasLimit * f.maxFeePerGas + f.value;
  if (balance < upfront)
    return invalidOutput(
      "INSUFFICIENT_FUNDS",
      `insufficient funds: balance ${balance}, needs ${upfront} (gas limit × max fee + value)`,
    );

  const baseFee = env.baseFee;
  const price = f.type === 2 ? min(f.maxFeePerGas, baseFee + f.maxPriorityFeePerGas) : f.maxFeePerGas;
  const { intrinsic, floor } = intrinsicAt(f, runner.hardfork);
  let gasUsed = 0n;
  let weftGas = 0n;
  // What the sender pays for, in EVM gas: Ethereum's gas used, or the Weft gas / weight if more.
  let charged = 0n;
  const { result, writes } = runner.runMessage(
    view,
    env,
    { from, fields: f, gas: f.gasLimit - BigInt(intrinsic), gasPrice: price, prepay: f.gasLimit * price },
    (result, stepGas) => {
      const exec = result.execResult;
      let spent = BigInt(intrinsic) + exec.executionGasUsed;
      if (spent < BigInt(floor)) spent = BigInt(floor);
      gasUsed = BigInt(intrinsic) + exec.executionGasUsed;
      const refund = exec.gasRefund ?? 0n;
      gasUsed -= refund < gasUsed / 5n ? refund : gasUsed / 5n;
      if (gasUsed < BigInt(floor)) gasUsed = BigInt(floor);
      weftGas = evmWeftGas(spent, stepGas);
      charged = gasUsed;
      const forWeft = (weftGas + EVM_GAS_WEIGHT - 1n) / EVM_GAS_WEIGHT;
      if (runner.weftPricing && forWeft > charged) charged = forWeft;
      return (f.gasLimit - charged) * price;
    },
    host,
  );
  const exec = result.execResult;
  const fee = charged * price;
  const tip = charged * (price - baseFee);
  const deltas = feeRecipientDeltas(env.coinbase, tip);
  // Built as this realm's arrays (the EVM's are its realm's: `evm/realm.ts`).
  const events: LogEvent[] = [];
  for (const [address, topics, data] of exec.logs ?? []) {
    events.push({ address: hex(address) as LogEvent["address"], topics: Array.from(topics, hex), data });
  }
  const receipt: Receipt = {
    status: statusOf(exec.exceptionError),
    gasUsed: Number(gasUsed),
    fee,
    events,
    output: exec.returnValue,
  };
  if (runner.weftPricing) receipt.blockGas = Number(weftGas);
  if (f.to === undefined && exec.exceptionError === undefined && result.createdAddress !== undefined) {
    receipt.contractAddress = hex(result.createdAddress.bytes) as Receipt["contractAddress"] & string;
  }
  return { receipt, writes, deltas };
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
