/**
 * An ERC-20-like token for the EVM, written as assembly for `asm.ts` (no compiler): the
 * semantics of `contracts/src/token`'s `transfer` path, so the two VMs are compared on
 * the same work.
 *
 * - Storage: `balances[a]` at slot keccak256(a ‖ 0) (a mapping at slot 0, as ERC-20s
 *   usually lay it out); the total supply at slot 1.
 * - Constructor: the init code is followed by 32 bytes, the supply, minted to the deployer
 *   (with a Transfer event from zero).
 * - `transfer(address to, uint256 amount) → bool`: reverts `ZeroAddress()` for `to` = 0,
 *   `InsufficientBalance(address, uint256, uint256)` when the caller has less than `amount`
 *   (nothing changes), reverts on overflow of the recipient's balance; a transfer to
 *   oneself changes nothing; emits `Transfer(from indexed, to indexed, amount)`; returns
 *   true. Exactly 68 bytes of call data; not payable.
 * - `balanceOf(address) → uint256`, `totalSupply() → uint256`.
 */
import { keccak256 } from "../../src/codec/hash.js";
import { assemble, dest, type Item, label, push, ref } from "./asm.js";

const text = (s: string) => new TextEncoder().encode(s);
const selector = (signature: string): bigint =>
  BigInt(`0x${Buffer.from(keccak256(text(signature)).subarray(0, 4)).toString("hex")}`);

export const SELECTORS = {
  transfer: selector("transfer(address,uint256)"),
  balanceOf: selector("balanceOf(address)"),
  totalSupply: selector("totalSupply()"),
  insufficientBalance: selector("InsufficientBalance(address,uint256,uint256)"),
  zeroAddress: selector("ZeroAddress()"),
  overflow: selector("Overflow()"),
};

/** topic0 of Transfer(address,address,uint256). */
export const TRANSFER_TOPIC = keccak256(text("Transfer(address,address,uint256)"));

/** Stack comments are top first. */
function balanceSlot(): Item[] {
  // [addr] → [slot]: mem[0..32] = addr, mem[32..64] = 0, keccak256(mem[0..64]).
  return [push(0), "MSTORE", push(0), push(32), "MSTORE", push(64), push(0), "SHA3"];
}

/** Reverts with a 4-byte error selector and no arguments. */
function revertWith(sel: bigint): Item[] {
  return [push(sel << 224n), push(0), "MSTORE", push(4), push(0), "REVERT"];
}

const runtimeItems: Item[] = [
  // Not payable.
  "CALLVALUE",
  ref("fail"),
  "JUMPI",
  // Dispatch on the selector.
  push(0),
  "CALLDATALOAD",
  push(0xe0),
  "SHR", // [sel]
  "DUP1",
  push(SELECTORS.transfer),
  "EQ",
  ref("transfer"),
  "JUMPI",
  "DUP1",
  push(SELECTORS.balanceOf),
  "EQ",
  ref("balanceOf"),
  "JUMPI",
  push(SELECTORS.totalSupply),
  "EQ",
  ref("totalSupply"),
  "JUMPI",
  ...dest("fail"),
  push(0),
  "DUP1",
  "REVERT",

  // transfer(address to, uint256 amount)
  ...dest("transfer"),
  "POP",
  push(68),
  "CALLDATASIZE",
  "EQ",
  "ISZERO",
  ref("fail"),
  "JUMPI",
  push(4),
  "CALLDATALOAD", // [to]
  "DUP1",
  push(0xa0),
  "SHR",
  ref("fail"),
  "JUMPI", // upper 96 bits must be zero
  "DUP1",
  "ISZERO",
  ref("zeroAddress"),
  "JUMPI",
  push(36),
  "CALLDATALOAD", // [amount, to]
  "CALLER", // [from, amount, to]
  "DUP1",
  ...balanceSlot(), // [fromSlot, from, amount, to]
  "DUP1",
  "SLOAD", // [bal, fromSlot, from, amount, to]
  "DUP1",
  "DUP5",
  "GT", // amount > bal
  ref("insufficient"),
  "JUMPI",
  "DUP5",
  "DUP4",
  "EQ", // from == to: nothing moves
  ref("self"),
  "JUMPI",
  "DUP4",
  "SWAP1",
  "SUB", // [bal - amount, fromSlot, from, amount, to]
  "SWAP1",
  "SSTORE", // [from, amount, to]
  "DUP3",
  ...balanceSlot(), // [toSlot, from, amount, to]
  "DUP1",
  "SLOAD",
  "DUP4",
  "ADD", // [toBal + amount, toSlot, from, amount, to]
  "DUP1",
  "DUP5",
  "GT", // amount > sum: wrapped
  ref("overflow"),
  "JUMPI",
  "SWAP1",
  "SSTORE", // [from, amount, to]
  ...dest("emit"),
  "DUP2",
  push(0),
  "MSTORE", // data = amount
  "DUP3",
  "DUP2",
  push(TRANSFER_TOPIC),
  push(32),
  push(0),
  "LOG3", // Transfer(from, to, amount)
  push(1),
  push(0),
  "MSTORE",
  push(32),
  push(0),
  "RETURN",
  ...dest("self"), // [bal, fromSlot, from, amount, to]
  "POP",
  "POP",
  ref("emit"),
  "JUMP",
  ...dest("insufficient"), // [bal, fromSlot, from, amount, to]
  push(SELECTORS.insufficientBalance << 224n),
  push(0),
  "MSTORE",
  "DUP3",
  push(4),
  "MSTORE",
  push(36),
  "MSTORE", // bal
  "POP",
  "POP",
  push(68),
  "MSTORE", // amount
  "POP",
  push(100),
  push(0),
  "REVERT",
  ...dest("zeroAddress"),
  ...revertWith(SELECTORS.zeroAddress),
  ...dest("overflow"),
  ...revertWith(SELECTORS.overflow),

  // balanceOf(address)
  ...dest("balanceOf"),
  "POP",
  push(36),
  "CALLDATASIZE",
  "EQ",
  "ISZERO",
  ref("fail"),
  "JUMPI",
  push(4),
  "CALLDATALOAD",
  ...balanceSlot(),
  "SLOAD",
  push(0),
  "MSTORE",
  push(32),
  push(0),
  "RETURN",

  // totalSupply()
  ...dest("totalSupply"),
  push(4),
  "CALLDATASIZE",
  "EQ",
  "ISZERO",
  ref("fail"),
  "JUMPI",
  push(1),
  "SLOAD",
  push(0),
  "MSTORE",
  push(32),
  push(0),
  "RETURN",
];

/** The deployed code. */
export const TOKEN_RUNTIME: Uint8Array = assemble(runtimeItems).code;

const initItems: Item[] = [
  "CALLVALUE",
  ref("initFail"),
  "JUMPI",
  // mem[0..32] = the 32 bytes after the code: the supply.
  push(32),
  push(32),
  "CODESIZE",
  "SUB",
  push(0),
  "CODECOPY",
  push(0),
  "MLOAD", // [supply]
  "CALLER",
  ...balanceSlot(), // [slot, supply]
  "DUP2",
  "SWAP1",
  "SSTORE", // balances[deployer] = supply; [supply]
  "DUP1",
  push(1),
  "SSTORE", // totalSupply = supply
  push(0),
  "MSTORE", // data = supply; []
  "CALLER",
  push(0),
  push(TRANSFER_TOPIC),
  push(32),
  push(0),
  "LOG3", // Transfer(0, deployer, supply)
  push(TOKEN_RUNTIME.length),
  "DUP1",
  ref("runtime"),
  push(0),
  "CODECOPY",
  push(0),
  "RETURN",
  ...dest("initFail"),
  push(0),
  "DUP1",
  "REVERT",
  label("runtime"),
  { raw: TOKEN_RUNTIME },
];

const INIT_CODE: Uint8Array = assemble(initItems).code;

/** Deployment data: the init code, the runtime, then the supply as 32 bytes. */
export function tokenDeployData(supply: bigint): Uint8Array {
  const out = new Uint8Array(INIT_CODE.length + 32);
  out.set(INIT_CODE, 0);
  out.set(u256(supply), INIT_CODE.length);
  return out;
}

export function u256(value: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let v = value;
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** Call data of transfer(to, amount); `to` as 0x + 40 hex digits. */
export function transferData(to: string, amount: bigint): Uint8Array {
  const out = new Uint8Array(68);
  out.set(u256(SELECTORS.transfer << 224n).subarray(0, 4), 0);
  out.set(Buffer.from(to.slice(2), "hex"), 16);
  out.set(u256(amount), 36);
  return out;
}

export function balanceOfData(who: string): Uint8Array {
  const out = new Uint8Array(36);
  out.set(u256(SELECTORS.balanceOf << 224n).subarray(0, 4), 0);
  out.set(Buffer.from(who.slice(2), "hex"), 16);
  return out;
}

/** The storage slot of `who`'s balance: keccak256(address left-padded to 32 bytes ‖ 32 zero bytes). */
export function balanceSlotOf(who: string): Uint8Array {
  const preimage = new Uint8Array(64);
  preimage.set(Buffer.from(who.slice(2), "hex"), 12);
  return keccak256(preimage);
}
