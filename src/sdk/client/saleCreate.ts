/**
 * Creating a token sale (contracts/src/sale, docs/sales.md "Creating a sale"): its settings
 * checked as the contract's `init` checks them, so a sale that could not be created is
 * refused before anything is sent; the `init` arguments in order; the owner's deposit of the
 * supply (approve and `deposit` in one transaction); and a Dutch sale's price at a time, as
 * the contract computes it.
 *
 * @example
 * const params = { token, payToken, recipient: me, supply: 10n * E18, startPrice: 3_000n * E18,
 *   endPrice: 1_000n * E18, startTime: now, endTime: now + 3_600n, softCap: 1_000n * E18,
 *   hardCap: 30_000n * E18, buyerCap: 10_000n * E18, allowlistRoot: buildAllowlist(list).root };
 * checkSaleParams(params, now);
 * const { contractAddress } = await deployContract({ client, account, artifact, args: saleInitArgs(params) });
 * await client.sendAndWait({ account, calls: saleFundCalls(contractAddress, token, params.supply) });
 */
import { sale as saleBinding } from "../../bindings/sale.gen.js";
import { token as tokenBinding } from "../../bindings/token.gen.js";
import type { Address } from "../../codec/address.js";
import { fromHex } from "../../codec/bytes.js";
import type { CallRequest } from "./types.js";

const U128_MAX = (1n << 128n) - 1n;
const U64_MAX = (1n << 64n) - 1n;
const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000" as Address;
const ZERO_ROOT = `0x${"00".repeat(32)}`;

/** A sale's settings, as `init` takes them (amounts in smallest units; prices per 10^18 sale units; times in seconds). */
export interface SaleParams {
  token: Address;
  payToken: Address;
  recipient: Address;
  supply: bigint;
  /** Payment units per 10^18 sale units at the start and at the end (equal: a fixed price). */
  startPrice: bigint;
  endPrice: bigint;
  startTime: bigint;
  endTime: bigint;
  softCap: bigint;
  hardCap: bigint;
  buyerCap: bigint;
  /** The allowlist's root (0x + 64 hex digits), or absent: anyone may buy. */
  allowlistRoot?: string;
  /** Buyers' tokens vest in this contract (of the sale token) from the finalization, or absent: paid out at claim. */
  vesting?: { contract: Address; cliff: bigint; duration: bigint };
}

export type SaleParamsErrorCode = "BAD_PARAMS";

/** Settings the sale's `init` would refuse (`InvalidParams`), found before anything is sent. */
export class SaleParamsError extends Error {
  readonly code: SaleParamsErrorCode = "BAD_PARAMS";
  constructor(message: string) {
    super(message);
    this.name = "SaleParamsError";
  }
}

function bad(message: string): never {
  throw new SaleParamsError(message);
}

/**
 * Throws a `SaleParamsError` for settings the contract's `init` would refuse at time `now`
 * (the head's time): the same rules, plus the bounds of the types they are stored in.
 */
export function checkSaleParams(p: SaleParams, now: bigint): void {
  const lower = (a: string) => a.toLowerCase();
  if ([p.token, p.payToken, p.recipient].some((a) => lower(a) === ZERO_ADDRESS))
    bad("a token or the recipient is the zero address");
  if (lower(p.token) === lower(p.payToken)) bad("the sale token is the payment token");
  for (const [name, value] of [
    ["supply", p.supply],
    ["startPrice", p.startPrice],
    ["endPrice", p.endPrice],
    ["softCap", p.softCap],
    ["hardCap", p.hardCap],
    ["buyerCap", p.buyerCap],
  ] as const)
    if (value < 0n || value > U128_MAX) bad(`${name} ${value} is not between 0 and 2^128 - 1`);
  for (const [name, value] of [
    ["startTime", p.startTime],
    ["endTime", p.endTime],
  ] as const)
    if (value < 0n || value > U64_MAX) bad(`${name} ${value} is not a time in seconds below 2^64`);
  if (p.supply === 0n) bad("the supply is zero");
  if (p.startPrice === 0n || p.endPrice === 0n) bad("a price is zero");
  if (p.startPrice < p.endPrice) bad("the price rises (the start price is below the end price)");
  if (p.endTime <= p.startTime) bad("the sale ends before it starts");
  if (p.endTime <= now) bad("the sale has ended already (its end is not after the head block's time)");
  if (p.hardCap === 0n || p.hardCap < p.softCap) bad("the hard cap is zero or below the soft cap");
  if (p.buyerCap === 0n) bad("the per-buyer cap is zero");
  if (p.allowlistRoot !== undefined && !/^0x[0-9a-fA-F]{64}$/.test(p.allowlistRoot))
    bad(`the allowlist root must be 0x + 64 hex digits, got ${JSON.stringify(p.allowlistRoot)}`);
  const v = p.vesting;
  if (v !== undefined) {
    if (lower(v.contract) === ZERO_ADDRESS) bad("the vesting contract is the zero address");
    if (v.duration <= 0n || v.duration > U64_MAX || v.cliff < 0n || v.cliff > v.duration)
      bad("vesting needs a duration and a cliff within it");
  }
}

/** `init`'s arguments in order (checked first: `checkSaleParams` at `now`). */
export function saleInitArgs(p: SaleParams, now: bigint): unknown[] {
  checkSaleParams(p, now);
  return [
    p.token,
    p.payToken,
    p.recipient,
    p.supply,
    p.startPrice,
    p.endPrice,
    p.startTime,
    p.endTime,
    p.softCap,
    p.hardCap,
    p.buyerCap,
    fromHex((p.allowlistRoot ?? ZERO_ROOT).slice(2)),
    p.vesting?.contract ?? ZERO_ADDRESS,
    p.vesting?.cliff ?? 0n,
    p.vesting?.duration ?? 0n,
  ];
}

/** The owner deposits the supply: approve the sale for it and call `deposit`, in one transaction. */
export function saleFundCalls(sale: Address, token: Address, supply: bigint): CallRequest[] {
  return [
    { target: token, method: "approve", args: tokenBinding.approve.encode(sale, supply) },
    { target: sale, method: "deposit", args: saleBinding.deposit.encode() },
  ];
}

/** A Dutch sale's price at `time`, as the contract's `priceAt`: linear from the start price to the end price, rounded as it rounds. */
export function salePriceAt(
  p: Pick<SaleParams, "startPrice" | "endPrice" | "startTime" | "endTime">,
  time: bigint,
): bigint {
  if (time <= p.startTime || p.startPrice === p.endPrice) return p.startPrice;
  if (time >= p.endTime) return p.endPrice;
  return p.startPrice - ((p.startPrice - p.endPrice) * (time - p.startTime)) / (p.endTime - p.startTime);
}
