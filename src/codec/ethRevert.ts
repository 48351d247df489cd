/**
 * Solidity's two built-in revert forms, decoded without any ABI: `Error(string)` (selector
 * 0x08c379a0, from `require(cond, "reason")` and `revert("reason")`) and `Panic(uint256)`
 * (0x4e487b71, from failed asserts, arithmetic overflow, division by zero...). Anything
 * else (a custom error, empty data, malformed data) decodes to undefined: it needs the
 * contract's ABI.
 */
import { toHex } from "./bytes.js";

const ERROR_SELECTOR = "08c379a0";
const PANIC_SELECTOR = "4e487b71";

/** Solidity's panic codes and what they mean. */
const PANIC_MEANINGS: Record<number, string> = {
  0: "generic panic",
  1: "assertion failed",
  17: "arithmetic overflow or underflow",
  18: "division or modulo by zero",
  33: "invalid enum value",
  34: "invalid storage byte array",
  49: "pop from an empty array",
  50: "array index out of bounds",
  65: "out of memory",
  81: "call to an uninitialised function",
};

export type EthRevert =
  | { name: "Error"; args: { message: string } }
  | { name: "Panic"; args: { code: bigint; meaning: string } };

function word(data: Uint8Array, at: number): bigint | undefined {
  if (at + 32 > data.length) return undefined;
  return BigInt(`0x${toHex(data.subarray(at, at + 32))}`);
}

/** `Error(string)` or `Panic(uint256)` revert data decoded, else undefined. */
export function decodeEthRevert(data: Uint8Array): EthRevert | undefined {
  if (data.length < 4 + 32) return undefined;
  const selector = toHex(data.subarray(0, 4));
  const body = data.subarray(4);
  if (selector === PANIC_SELECTOR) {
    const code = word(body, 0);
    if (code === undefined) return undefined;
    const meaning = code < 0x100n ? PANIC_MEANINGS[Number(code)] : undefined;
    return { name: "Panic", args: { code, meaning: meaning ?? "unknown panic code" } };
  }
  if (selector !== ERROR_SELECTOR) return undefined;
  const offset = word(body, 0);
  if (offset === undefined || offset > BigInt(body.length)) return undefined;
  const length = word(body, Number(offset));
  const start = Number(offset) + 32;
  if (length === undefined || length > BigInt(body.length - start)) return undefined;
  const bytes = body.subarray(start, start + Number(length));
  return { name: "Error", args: { message: new TextDecoder("utf-8", { fatal: false }).decode(bytes) } };
}

/**
 * The reason as geth prints it after "execution reverted: ": the message of an
 * `Error(string)`, "panic: 0x11 (arithmetic overflow or underflow)" for a `Panic`, else
 * undefined.
 */
export function ethRevertReason(data: Uint8Array): string | undefined {
  const revert = decodeEthRevert(data);
  if (revert === undefined) return undefined;
  if (revert.name === "Error") return revert.args.message;
  return `panic: 0x${revert.args.code.toString(16).padStart(2, "0")} (${revert.args.meaning})`;
}
