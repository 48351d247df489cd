/**
 * Just enough of the Solidity ABI for tests and benchmarks (no ABI library installed):
 * selectors, calls with static words and `address[]`, and reading words back.
 */
import type { Address } from "../../src/codec/address.js";
import { concatBytes, fromHex, utf8 } from "../../src/codec/bytes.js";
import { keccak256 } from "../../src/codec/hash.js";
import { hex } from "../../src/node/store/records.js";

export type AbiArg = bigint | Address | boolean | Address[];

/** The 4-byte selector of a signature such as `transfer(address,uint256)`. */
export function selector(signature: string): Uint8Array {
  return keccak256(utf8(signature)).subarray(0, 4);
}

/** One 32-byte ABI word. */
export function word(value: bigint | Address | boolean): Uint8Array {
  const n = typeof value === "boolean" ? (value ? 1n : 0n) : BigInt(value);
  return fromHex(n.toString(16).padStart(64, "0"));
}

/** ABI-encoded arguments: static words in the head, each `address[]` in the tail. */
export function encodeArgs(args: readonly AbiArg[]): Uint8Array {
  const head: Uint8Array[] = [];
  const tail: Uint8Array[] = [];
  let tailAt = 32 * args.length;
  for (const arg of args) {
    if (Array.isArray(arg)) {
      head.push(word(BigInt(tailAt)));
      const part = concatBytes(word(BigInt(arg.length)), ...arg.map(word));
      tail.push(part);
      tailAt += part.length;
    } else head.push(word(arg));
  }
  return concatBytes(...head, ...tail);
}

/** Call data for `signature` with `args`. */
export function encodeCall(signature: string, ...args: AbiArg[]): Uint8Array {
  return concatBytes(selector(signature), encodeArgs(args));
}

/** Word `i` of ABI output as a number. */
export function wordAt(output: Uint8Array, i: number): bigint {
  const part = output.subarray(32 * i, 32 * i + 32);
  if (part.length !== 32) throw new Error(`output of ${output.length} bytes has no word ${i}`);
  return BigInt(hex(part));
}

/** A `uint256[]` returned alone (the router's `amounts`). */
export function decodeUintArray(output: Uint8Array): bigint[] {
  const at = Number(wordAt(output, 0)) / 32;
  const length = Number(wordAt(output, at));
  return Array.from({ length }, (_, i) => wordAt(output, at + 1 + i));
}

/** Dynamic ABI bytes: the length word, then the bytes padded to whole words. */
export function padded(bytes: Uint8Array): Uint8Array {
  return concatBytes(word(BigInt(bytes.length)), bytes, new Uint8Array((32 - (bytes.length % 32)) % 32));
}

/** The host precompile's input (0x…0100): abi.encode(address target, string method, bytes input). */
export function wasmCall(target: Address, method: string, input: Uint8Array): Uint8Array {
  const name = padded(utf8(method));
  return concatBytes(word(BigInt(target)), word(96n), word(96n + BigInt(name.length)), name, padded(input));
}
