/**
 * The real Uniswap V2 contracts (the compiled bytecode shipped in `@uniswap/v2-core` and
 * `@uniswap/v2-periphery`, GPL-3.0-or-later, loaded at run time, not copied): their
 * deployment as Ethereum transactions, their calls, their storage layout, and Uniswap's
 * own arithmetic to check results against. Shared by the tests and the benchmarks.
 */
import { createRequire } from "node:module";
import type { Address } from "../../src/codec/address.js";
import { concatBytes, fromHex } from "../../src/codec/bytes.js";
import { keccak256 } from "../../src/codec/hash.js";
import { evmStorageKey } from "../../src/state/keys.js";
import type { StateReader } from "../../src/state/storage.js";
import { type AbiArg, encodeArgs, encodeCall } from "./ethAbi.js";

const load = createRequire(import.meta.url);

function bytecode(artifact: string): Uint8Array {
  const json = load(artifact) as { bytecode: string };
  return fromHex(json.bytecode.replace(/^0x/, ""));
}

/** Init code (with constructor arguments) of each contract used. */
export const UNISWAP = {
  factory: (feeToSetter: Address) =>
    concatBytes(bytecode("@uniswap/v2-core/build/UniswapV2Factory.json"), encodeArgs([feeToSetter])),
  router: (factory: Address, weth: Address) =>
    concatBytes(bytecode("@uniswap/v2-periphery/build/UniswapV2Router02.json"), encodeArgs([factory, weth])),
  weth: () => bytecode("@uniswap/v2-periphery/build/WETH9.json"),
  /** Uniswap's test ERC-20: the whole supply to the deployer. */
  erc20: (supply: bigint) =>
    concatBytes(bytecode("@uniswap/v2-periphery/build/ERC20.json"), encodeArgs([supply])),
};

export const MAX_UINT = (1n << 256n) - 1n;
export const MINIMUM_LIQUIDITY = 1000n;

/** Call data of the functions used. */
export const call = {
  approve: (spender: Address, amount: bigint) => encodeCall("approve(address,uint256)", spender, amount),
  transfer: (to: Address, amount: bigint) => encodeCall("transfer(address,uint256)", to, amount),
  createPair: (a: Address, b: Address) => encodeCall("createPair(address,address)", a, b),
  deposit: () => encodeCall("deposit()"),
  addLiquidity: (a: Address, b: Address, amountA: bigint, amountB: bigint, to: Address, deadline: bigint) =>
    encodeCall(
      "addLiquidity(address,address,uint256,uint256,uint256,uint256,address,uint256)",
      a,
      b,
      amountA,
      amountB,
      0n,
      0n,
      to,
      deadline,
    ),
  addLiquidityETH: (token: Address, amount: bigint, to: Address, deadline: bigint) =>
    encodeCall(
      "addLiquidityETH(address,uint256,uint256,uint256,address,uint256)",
      token,
      amount,
      0n,
      0n,
      to,
      deadline,
    ),
  swapExactTokensForTokens: (
    amountIn: bigint,
    minOut: bigint,
    path: Address[],
    to: Address,
    deadline: bigint,
  ) =>
    encodeCall(
      "swapExactTokensForTokens(uint256,uint256,address[],address,uint256)",
      amountIn,
      minOut,
      path as AbiArg,
      to,
      deadline,
    ),
  swapExactETHForTokens: (minOut: bigint, path: Address[], to: Address, deadline: bigint) =>
    encodeCall(
      "swapExactETHForTokens(uint256,address[],address,uint256)",
      minOut,
      path as AbiArg,
      to,
      deadline,
    ),
};

function slotWord(n: bigint): Uint8Array {
  return fromHex(n.toString(16).padStart(64, "0"));
}

/** The storage slot of `mapping(address => …)` at slot `base`, for `key`. */
export function mappingSlot(key: Address, base: bigint): Uint8Array {
  return keccak256(concatBytes(slotWord(BigInt(key)), slotWord(base)));
}

function readWord(state: StateReader, contract: Address, slot: Uint8Array): bigint {
  const value = state.get(evmStorageKey(contract, slot));
  return value === undefined || value.length === 0 ? 0n : BigInt(`0x${Buffer.from(value).toString("hex")}`);
}

/** Balance slots: Uniswap's test ERC-20 and the pair (UniswapV2ERC20) at 1, WETH9 at 3. */
export function tokenBalance(state: StateReader, token: Address, owner: Address, balanceSlot = 1n): bigint {
  return readWord(state, token, mappingSlot(owner, balanceSlot));
}

/** The pair's reserves (slot 8: reserve0 in the low 112 bits, reserve1 above, the timestamp on top). */
export function reserves(
  state: StateReader,
  pair: Address,
): { reserve0: bigint; reserve1: bigint; time: bigint } {
  const packed = readWord(state, pair, slotWord(8n));
  const mask = (1n << 112n) - 1n;
  return { reserve0: packed & mask, reserve1: (packed >> 112n) & mask, time: packed >> 224n };
}

/** Uniswap V2's `getAmountOut` (0.3% fee). */
export function amountOut(amountIn: bigint, reserveIn: bigint, reserveOut: bigint): bigint {
  const withFee = amountIn * 997n;
  return (withFee * reserveOut) / (reserveIn * 1000n + withFee);
}

/** Integer square root (the pair's `Math.sqrt`, Babylonian). */
export function sqrt(y: bigint): bigint {
  if (y <= 3n) return y === 0n ? 0n : 1n;
  let z = y;
  let x = y / 2n + 1n;
  while (x < z) {
    z = x;
    x = (y / x + x) / 2n;
  }
  return z;
}

/** The pair address as the router computes it (CREATE2 by the factory with the pair's init code hash). */
export function pairFor(factory: Address, a: Address, b: Address): Address {
  const [t0, t1] = BigInt(a) < BigInt(b) ? [a, b] : [b, a];
  const salt = keccak256(concatBytes(fromHex(t0.slice(2)), fromHex(t1.slice(2))));
  const initHash = keccak256(bytecode("@uniswap/v2-core/build/UniswapV2Pair.json"));
  const digest = keccak256(concatBytes(Uint8Array.of(0xff), fromHex(factory.slice(2)), salt, initHash));
  return `0x${Buffer.from(digest.subarray(12)).toString("hex")}` as Address;
}
