/**
 * Calling EVM contracts (Solidity) from a WASM contract (docs/host-abi.md "Calling EVM
 * code"). `evmCall` runs EVM code with this contract's address as `msg.sender` (Weft and
 * EVM addresses are the same 20 bytes); `EvmCalldata` builds Ethereum ABI call data (a
 * selector, then 32-byte words), `EvmWords` reads return data; `Erc20` moves and reads an
 * EVM ERC-20 as OpenZeppelin's SafeERC20 does (a failed call or a `false` reverts).
 *
 * Status and data are those of `callContract`: 0 success with the return data, 1 revert
 * with the EVM's revert data (`Error(string)` and custom errors in Solidity's encoding,
 * `EvmHalt(string)` for an exceptional halt), 2 out of gas.
 */
import { Address } from "./address";
import { CallResult, valueAt } from "./call";
import { revertRaw, revertWith } from "./errors";
import * as host from "./host";
import { cacheClear } from "./storageCache";
import { U128 } from "./u128";

/** Calls the EVM contract at `target` with `data`, sending `value`, forwarding at most `gas` Weft gas (0 = all allowed). */
export function evmCall(
  target: Address,
  data: Uint8Array,
  value: U128 = U128.Zero,
  gas: u64 = 0,
): CallResult {
  cacheClear(); // as callContract
  const status = host.evm_call(target.bytes.dataStart, data.dataStart, data.length, valueAt(value), <i64>gas);
  const out = new Uint8Array(host.returndata_size());
  host.returndata_copy(out.dataStart);
  return new CallResult(status, out);
}

/** The 4-byte selector of a Solidity signature such as `"transfer(address,uint256)"` (costs a keccak256). */
export function evmSelector(signature: string): u32 {
  const digest = new Uint8Array(32);
  const text = Uint8Array.wrap(String.UTF8.encode(signature));
  host.keccak256(text.dataStart, text.length, digest.dataStart);
  return bswap<u32>(load<u32>(digest.dataStart));
}

/** Ethereum ABI call data of static arguments: the selector, then one 32-byte word per argument. */
export class EvmCalldata {
  private out: Uint8Array;
  private at: i32 = 4;

  constructor(selector: u32, words: i32) {
    this.out = new Uint8Array(4 + 32 * words);
    store<u32>(this.out.dataStart, bswap<u32>(selector));
  }

  private word(): usize {
    if (this.at + 32 > this.out.length) abort("EvmCalldata: more words than declared");
    const p = this.out.dataStart + <usize>this.at;
    this.at += 32;
    return p;
  }

  /** An `address` (right-aligned in its word). */
  address(a: Address): EvmCalldata {
    memory.copy(this.word() + 12, a.bytes.dataStart, 20);
    return this;
  }

  /** A `uint256` holding a u128 (big-endian). */
  uint(v: U128): EvmCalldata {
    const p = this.word();
    store<u64>(p + 16, bswap<u64>(v.hi));
    store<u64>(p + 24, bswap<u64>(v.lo));
    return this;
  }

  bool(b: bool): EvmCalldata {
    store<u8>(this.word() + 31, b ? 1 : 0);
    return this;
  }

  finish(): Uint8Array {
    if (this.at != this.out.length) abort("EvmCalldata: fewer words than declared");
    return this.out;
  }
}

/** Reads 32-byte words of EVM return data (Ethereum's ABI of static values). */
export class EvmWords {
  constructor(public data: Uint8Array) {}

  private word(i: i32): usize {
    if (i < 0 || 32 * (i + 1) > this.data.length) revertWith("EvmBadReturn", new Uint8Array(0));
    return this.data.dataStart + <usize>(32 * i);
  }

  /** Word `i` as a `uint256` that must fit a u128 (else reverts with `EvmBadReturn()`). */
  uint128(i: i32): U128 {
    const p = this.word(i);
    if ((load<u64>(p) | load<u64>(p + 8)) != 0) revertWith("EvmBadReturn", new Uint8Array(0));
    return new U128(bswap<u64>(load<u64>(p + 24)), bswap<u64>(load<u64>(p + 16)));
  }

  /** Word `i` as a `bool` (0 or 1). */
  bool(i: i32): bool {
    const p = this.word(i);
    const v = this.uint128(i);
    return !v.isZero() && load<u8>(p + 31) == 1;
  }

  /** Word `i` as an `address`. */
  address(i: i32): Address {
    const p = this.word(i);
    const out = new Uint8Array(20);
    memory.copy(out.dataStart, p + 12, 20);
    return new Address(out);
  }
}

const TRANSFER: u32 = 0xa9059cbb; // transfer(address,uint256)
const TRANSFER_FROM: u32 = 0x23b872dd; // transferFrom(address,address,uint256)
const APPROVE: u32 = 0x095ea7b3; // approve(address,uint256)
const BALANCE_OF: u32 = 0x70a08231; // balanceOf(address)

/**
 * An ERC-20 on the EVM side. A call that fails reverts this contract with the token's
 * revert data; one that returns `false` reverts with `EvmTokenRefused(address token)`
 * (a token that returns nothing is taken as success, as SafeERC20 does).
 */
export class Erc20 {
  constructor(public token: Address) {}

  balanceOf(owner: Address): U128 {
    const r = evmCall(this.token, new EvmCalldata(BALANCE_OF, 1).address(owner).finish());
    if (!r.ok) revertRaw(r.data);
    return new EvmWords(r.data).uint128(0);
  }

  transfer(to: Address, amount: U128): void {
    this.expectTrue(evmCall(this.token, new EvmCalldata(TRANSFER, 2).address(to).uint(amount).finish()));
  }

  transferFrom(from: Address, to: Address, amount: U128): void {
    const data = new EvmCalldata(TRANSFER_FROM, 3).address(from).address(to).uint(amount).finish();
    this.expectTrue(evmCall(this.token, data));
  }

  approve(spender: Address, amount: U128): void {
    this.expectTrue(evmCall(this.token, new EvmCalldata(APPROVE, 2).address(spender).uint(amount).finish()));
  }

  private expectTrue(r: CallResult): void {
    if (!r.ok) revertRaw(r.data);
    if (r.data.length > 0 && !new EvmWords(r.data).bool(0)) revertWith("EvmTokenRefused", this.token.bytes);
  }
}
