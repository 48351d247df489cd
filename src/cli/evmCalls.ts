/**
 * `weft call` and `weft tx` on EVM (Solidity) contracts: `--abi <file.json>` names a Solidity
 * ABI (a bare JSON array, or a Hardhat / Foundry / solc artifact with an `abi`), the method
 * is a function of it, the arguments are read by its parameter types (integers raw, decimal
 * or 0x hex; arrays and tuples as JSON). A call is an `eth_call`; a transaction is sent from
 * an Ethereum dev account (`eth0`..`eth9`), since an EVM contract is called by an Ethereum
 * transaction. Reverts decode `Error(string)`, `Panic(uint256)` and the ABI's custom errors.
 */
import { existsSync, readFileSync } from "node:fs";
import type { Address } from "../codec/address.js";
import { fromHex, toHex } from "../codec/bytes.js";
import { decodeEthRevert } from "../codec/ethRevert.js";
import {
  type AbiEntry,
  abiOfJson,
  decodeCustomError,
  decodeFunctionResult,
  encodeFunctionCall,
  findFunction,
  parseArg,
  SolidityAbiError,
  selectorOf,
} from "../codec/solidityAbi.js";
import {
  type DecodedRevert,
  type Receipt,
  RpcRequestError,
  TransactionRevertedError,
  type WeftClient,
} from "../sdk/client/index.js";
import type { EthDevKey } from "../sdk/ethDevKeys.js";
import type { Context } from "./context.js";
import { sendFromEoa } from "./ethDev.js";
import { UsageError } from "./output.js";

/** Whether `--abi` names a JSON file (a Solidity ABI) rather than a built WASM contract. */
export function isAbiFile(abi: string | undefined): abi is string {
  return abi !== undefined && (abi.endsWith(".json") || (abi.includes("/") && existsSync(abi)));
}

/** The Solidity ABI in `file`, or a usage error saying what is wrong with it. */
export function loadAbiFile(file: string): AbiEntry[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`--abi ${file}: cannot read it (${(error as Error).message})`);
  }
  try {
    return abiOfJson(JSON.parse(text));
  } catch (error) {
    throw new UsageError(`--abi ${file}: ${(error as Error).message}`, [
      "give a Solidity ABI JSON array, or a Hardhat / Foundry artifact (its `abi` is used)",
    ]);
  }
}

/** Whether `address` holds EVM code. */
export async function holdsEvmCode(client: WeftClient, address: Address): Promise<boolean> {
  return (await client.request<string>("eth_getCode", [address, "latest"])) !== "0x";
}

/** The usage error for an EVM contract named without a Solidity ABI. */
export function evmNeedsAbi(address: Address): UsageError {
  return new UsageError(
    `the contract at ${address} is an EVM (Solidity) contract: give its ABI with --abi <file.json>`,
    [
      "a Solidity ABI JSON array, or a Hardhat / Foundry artifact (its `abi` is used)",
      "--abi <name> (a built WASM contract) is for WASM contracts only",
    ],
  );
}

/** A prepared call of an EVM contract's function. */
export interface EvmCall {
  abi: AbiEntry[];
  fn: AbiEntry;
  data: Uint8Array;
}

/**
 * The Solidity ABI to call `address` with, or undefined when it holds no EVM code (a WASM
 * contract or nothing: the caller goes on as for WASM): `--abi <file.json>` when given, else
 * the ABI verified with the node (`weft verify <address> <file.sol>`, `weft_getEvmSource`);
 * EVM code with neither (or with `--abi <name>`, a WASM contract's metadata) is a usage error.
 */
export async function evmAbiFor(
  client: WeftClient,
  address: Address,
  abiOption: string | undefined,
): Promise<AbiEntry[] | undefined> {
  if (isAbiFile(abiOption)) return loadAbiFile(abiOption);
  if (!(await holdsEvmCode(client, address))) return undefined;
  if (abiOption === undefined) {
    const verified = await client.request<{ abi?: unknown } | null>("weft_getEvmSource", [
      address,
      { sources: false },
    ]);
    if (verified !== null && Array.isArray(verified.abi)) return abiOfJson(verified.abi);
  }
  throw evmNeedsAbi(address);
}

/** Encodes `method(args)` with `abi` (usage errors name the argument at fault). */
export function prepareEvmCall(abi: AbiEntry[], method: string, args: string[]): EvmCall {
  try {
    const fn = findFunction(abi, method, args.length);
    const values = (fn.inputs ?? []).map((p, i) => parseArg(p, args[i] as string));
    return { abi, fn, data: encodeFunctionCall(fn, values) };
  } catch (error) {
    if (error instanceof SolidityAbiError) throw new UsageError(`${method}: ${error.message}`);
    throw error;
  }
}

/** Revert data decoded: the ABI's custom errors, else Error(string) / Panic(uint256). */
export function decodeEvmRevert(abi: readonly AbiEntry[], output: string): DecodedRevert | undefined {
  if (!/^0x([0-9a-fA-F]{2})*$/.test(output) || output === "0x") return undefined;
  const data = fromHex(output.slice(2));
  return decodeCustomError(abi, data) ?? decodeEthRevert(data);
}

/**
 * A mined EVM call's output decoded with `abi`: the return value of the function whose
 * selector starts `input` (the call data) when it succeeded, its revert (custom error, else
 * Error(string) / Panic(uint256)) when it did not. Output the ABI does not describe stays raw.
 */
export function decodeEvmOutcome(
  abi: readonly AbiEntry[],
  input: string | undefined,
  status: string,
  output: string,
): { result?: unknown; revert?: DecodedRevert } {
  if (status !== "success") {
    const revert = decodeEvmRevert(abi, output);
    return revert === undefined ? {} : { revert };
  }
  if (output === "0x" || !/^0x([0-9a-fA-F]{2})*$/.test(output)) return {};
  if (input === undefined || !/^0x[0-9a-fA-F]{8}/.test(input)) return {};
  const selector = input.slice(2, 10).toLowerCase();
  const fn = abi.find((e) => e.type === "function" && toHex(selectorOf(e)) === selector);
  if (fn === undefined || (fn.outputs ?? []).length === 0) return {};
  try {
    return { result: decodeFunctionResult(fn, fromHex(output.slice(2))) };
  } catch {
    return {};
  }
}

/** `eth_call` of `call` at `address`: the decoded return value (`TransactionRevertedError` on a revert). */
export async function readEvm(
  ctx: Context,
  address: Address,
  call: EvmCall,
  from?: Address,
): Promise<unknown> {
  let output: string;
  try {
    output = await ctx.client.request<string>("eth_call", [
      { to: address, data: `0x${toHex(call.data)}`, ...(from === undefined ? {} : { from }) },
      "latest",
    ]);
  } catch (error) {
    if (!(error instanceof RpcRequestError) || error.code !== 3) throw error;
    const data = typeof error.data === "string" ? error.data : "0x";
    throw new TransactionRevertedError({
      status: "revert",
      phase: "call",
      output: data,
      revert: decodeEvmRevert(call.abi, data),
      details: [`call: ${address}.${call.fn.name}`],
    });
  }
  try {
    return decodeFunctionResult(call.fn, fromHex(output.slice(2)));
  } catch (error) {
    throw new UsageError(`${call.fn.name} returned data its ABI cannot decode: ${(error as Error).message}`, [
      `returned: ${output}`,
    ]);
  }
}

/** Sends `call` to `address` from Ethereum dev account `from`; the receipt with `result` decoded. */
export async function sendEvm(
  ctx: Context,
  from: EthDevKey & { name: string },
  address: Address,
  call: EvmCall,
  value?: bigint,
): Promise<Receipt & { result?: unknown }> {
  const receipt = await sendFromEoa(ctx, from, {
    target: address,
    method: call.fn.name ?? "",
    evmData: call.data,
    ...(value === undefined ? {} : { value }),
    decodeRevert: (output) => decodeEvmRevert(call.abi, output),
  });
  if (receipt.output === "0x" || (call.fn.outputs ?? []).length === 0) return receipt;
  try {
    return { ...receipt, result: decodeFunctionResult(call.fn, fromHex(receipt.output.slice(2))) };
  } catch {
    return receipt;
  }
}
