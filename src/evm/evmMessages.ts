/**
 * What an EVM runner (`evmRunner.ts`) is asked to run and answers: the block as EVM code
 * sees it, a transaction's top-level message, a message WASM code started (`evm_call`),
 * the host precompile through which EVM code calls into Weft and its answers, and a
 * message's outcome.
 */
import type { EVMResult } from "@ethereumjs/evm";
import type { Address } from "../codec/address.js";
import type { WriteSet } from "../state/storage.js";
import type { EthTxFields } from "./ethTx.js";

/**
 * The block as EVM code sees it (NUMBER, TIMESTAMP, COINBASE, BASEFEE, GASLIMIT,
 * PREVRANDAO, BLOCKHASH); `chain/evmBlock.ts` derives it from Weft's block context.
 */
export interface EvmBlock {
  chainId: bigint;
  height: bigint;
  time: bigint;
  coinbase: Address;
  /** Per EVM gas. */
  baseFee: bigint;
  /** In EVM gas. */
  gasLimit: bigint;
  /** 32 bytes. */
  prevRandao: Uint8Array;
  /** BLOCKHASH: the hash of block `number` (called only for the 256 blocks before `height`); undefined = zero. */
  hashOf(number: bigint): Uint8Array | undefined;
}

export interface EvmMessage {
  from: Address;
  fields: EthTxFields;
  /** Gas for execution: the gas limit less the intrinsic gas. */
  gas: bigint;
  /** The price per gas the transaction pays (GASPRICE). */
  gasPrice: bigint;
  /** Taken from the sender's balance before the message runs (gas limit × price). */
  prepay: bigint;
  /**
   * `eth_createAccessList`: told, after the message, every address it touched and every
   * storage slot it read or wrote (EIP-2929's warm set, less what was warm from the start:
   * the sender, the recipient and coinbase unless their slots were read, the precompiles,
   * the access list given), addresses as 40 and slots as 64 hex digits without 0x.
   */
  reportAccessList?: (touched: ReadonlyMap<string, ReadonlySet<string>>) => void;
}

/** What the host precompile (`HOST_PRECOMPILE`) answers a call with. */
export interface HostCallResult {
  /** EVM gas the call used (at most the gas it had). */
  gasUsed: bigint;
  returnValue: Uint8Array;
  /** The call reverted (its writes are not kept); `outOfGas` it ran out. */
  failure?: "revert" | "outOfGas";
  /** Events of the call, as EVM logs (kept with the EVM frame's own). */
  logs?: EvmLog[];
}

/**
 * The host's side of `HOST_PRECOMPILE`: `caller` is the account whose code called it (an
 * EOA, or the EVM contract whose code ran the call opcode: under DELEGATECALL the contract
 * whose context runs, never that contract's own caller), `depth` the depth of the
 * precompile's own frame, `isStatic` whether it runs in a static context (EIP-214: a
 * STATICCALL below it), where the call may change no state, `value` the coin sent with it
 * (0 under DELEGATECALL).
 */
export type HostCall = (
  caller: Address,
  data: Uint8Array,
  gasLimit: bigint,
  depth: number,
  isStatic: boolean,
  value: bigint,
) => HostCallResult;

/** A log as the EVM keeps it: address, topics, data. */
export type EvmLog = [Uint8Array, Uint8Array[], Uint8Array];

/** A message started by WASM code (`evm_call`). */
export interface EvmCall {
  /** The WASM contract calling (msg.sender). */
  caller: Address;
  /** ORIGIN. */
  origin: Address;
  to: Address;
  data: Uint8Array;
  value: bigint;
  /** EVM gas for the message (its step gas is capped at `evmStepGasLimit` of it). */
  gas: bigint;
  /** GASPRICE. */
  gasPrice: bigint;
  /** The message's depth in the call chain (frames of both VMs below it). */
  depth: number;
}

/** Most runners (so EVM messages running at once, one inside another through WASM) per thread. */
export const MAX_EVM_NESTING = 4;

/** The address of the precompile through which EVM code calls into Weft (`chain/wasmFromEvm.ts`). */
export const HOST_PRECOMPILE = "0x0000000000000000000000000000000000000100" as Address;

/**
 * EIP-4844's point evaluation precompile. Weft has no blobs and no KZG setup: ethereumjs,
 * given none, threw a plain `Error` out of the whole message ("kzg not initialized"), so a
 * transaction calling it made its block fail to build (and `eth_call` answer -32603). It
 * fails as a precompile does on bad input instead: all the gas it was given, nothing returned.
 */
export const POINT_EVALUATION_PRECOMPILE = "0x000000000000000000000000000000000000000a" as Address;
/** The reason the point evaluation precompile fails with. */
export const NO_POINT_EVALUATION = "point evaluation (0x0a) is not available: Weft has no blobs";

export interface EvmOutcome {
  result: EVMResult;
  writes: WriteSet;
  /** Instructions executed, in every frame. */
  steps: bigint;
  /** Their Weft gas (`weftGas.ts`): at most `evmStepGasLimit` of the gas limit under Weft's pricing. */
  stepGas: bigint;
}
