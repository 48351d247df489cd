/**
 * Token sales on a node (contracts/src/sale, docs/sales.md): a sale's settings and progress
 * (raised against the caps, sold, buyers, the price now, time left, the buyers' vesting),
 * one buyer's record, and the calls to buy (approve the cost and buy in one transaction)
 * and to settle (finalize if nobody has, then claim after a success or take a refund
 * after a failure).
 *
 * @example
 * const sale = await getSale(client, contracts.sale);
 * await client.sendAndWait({ account, calls: saleBuyCalls(sale, 1_000n * 10n ** 18n) });
 * // once it has ended:
 * const settle = saleSettleCalls(await getSale(client, contracts.sale));
 * await client.sendAndWait({ account, calls: settle.calls });
 */
import { sale as saleBinding } from "../../bindings/sale.gen.js";
import { token as tokenBinding } from "../../bindings/token.gen.js";
import type { Address } from "../../codec/address.js";
import { toHex } from "../../codec/bytes.js";
import type { WeftClient } from "./client.js";
import { getContract } from "./contract.js";
import type { CallRequest } from "./types.js";

const WAD = 10n ** 18n;
const U128_MAX = (1n << 128n) - 1n;
const ZERO = "0x0000000000000000000000000000000000000000";

/**
 * Where a sale stands: `unfunded` (the supply is not deposited), `upcoming`, `open`,
 * `ended` (past its end or at its hard cap, not finalized yet), `succeeded` or `failed`
 * (finalized: the soft cap was met, or not).
 */
export type SalePhase = "unfunded" | "upcoming" | "open" | "ended" | "succeeded" | "failed";

export type SaleErrorCode = "BAD_AMOUNT" | "NOT_OPEN" | "NOT_ENDED" | "ALLOWLIST_PROOF";

/** A sale helper's refusal, before anything is sent. */
export class SaleError extends Error {
  constructor(
    readonly code: SaleErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "SaleError";
  }
}

export interface SaleInfo {
  sale: Address;
  /** The token sold, and the token it is paid in. */
  token: Address;
  payToken: Address;
  recipient: Address;
  owner: Address;
  phase: SalePhase;
  /** The head block's time (seconds), which the phase and time left are computed at. */
  now: bigint;
  startTime: bigint;
  endTime: bigint;
  /** Seconds until the end (0 once past it). */
  timeLeft: bigint;
  /** Payment units per 10^18 sale units: now, at the start and at the end (equal: a fixed price). */
  price: bigint;
  startPrice: bigint;
  endPrice: bigint;
  /** Sale tokens on offer and sold; payment raised, against the caps. */
  supply: bigint;
  sold: bigint;
  raised: bigint;
  softCap: bigint;
  hardCap: bigint;
  buyerCap: bigint;
  buyers: bigint;
  /** The allowlist's Merkle root (0x hex), or null when anyone may buy. */
  allowlistRoot: string | null;
  /** Buyers' tokens vest in this contract from the finalization, or null: paid out at claim. */
  vesting: { contract: Address; cliff: bigint; duration: bigint } | null;
  /** When it was finalized (seconds; 0 before). */
  finalizedAt: bigint;
}

/** A sale's settings and progress, read at the head. */
export async function getSale(client: WeftClient, sale: Address): Promise<SaleInfo> {
  const s = getContract({ client, address: sale, binding: saleBinding });
  const r = s.read;
  const [head, token, payToken, recipient, owner, funded, outcome, start, end, price, high, low] =
    await Promise.all([
      client.getBlock(),
      r.token(),
      r.payToken(),
      r.recipient(),
      r.owner(),
      r.funded(),
      r.outcome(),
      r.startTime(),
      r.endTime(),
      r.price(),
      r.startPrice(),
      r.endPrice(),
    ]);
  const [
    supply,
    sold,
    raised,
    softCap,
    hardCap,
    buyerCap,
    buyers,
    root,
    vesting,
    cliff,
    duration,
    finalizedAt,
  ] = await Promise.all([
    r.supply(),
    r.sold(),
    r.raised(),
    r.softCap(),
    r.hardCap(),
    r.buyerCap(),
    r.buyerCount(),
    r.allowlistRoot(),
    r.vesting(),
    r.vestingCliff(),
    r.vestingDuration(),
    r.finalizedAt(),
  ]);
  const now = BigInt(head?.time ?? 0);
  const state = Number(outcome);
  const phase: SalePhase =
    state === 1
      ? "succeeded"
      : state === 2
        ? "failed"
        : !funded
          ? "unfunded"
          : now < start
            ? "upcoming"
            : now > end || raised >= hardCap
              ? "ended"
              : "open";
  const rootHex = `0x${toHex(root)}`;
  return {
    sale,
    token,
    payToken,
    recipient,
    owner,
    phase,
    now,
    startTime: start,
    endTime: end,
    timeLeft: now >= end ? 0n : end - now,
    price,
    startPrice: high,
    endPrice: low,
    supply,
    sold,
    raised,
    softCap,
    hardCap,
    buyerCap,
    buyers,
    allowlistRoot: /^0x0+$/.test(rootHex) ? null : rootHex,
    vesting: vesting.toLowerCase() === ZERO ? null : { contract: vesting, cliff, duration },
    finalizedAt,
  };
}

/** What one account paid and has still to claim (both 0 once claimed or refunded). */
export async function getSaleBuyer(
  client: WeftClient,
  sale: Address,
  buyer: Address,
): Promise<{ paid: bigint; bought: bigint }> {
  const r = getContract({ client, address: sale, binding: saleBinding }).read;
  const [paid, bought] = await Promise.all([r.paidBy(buyer), r.boughtBy(buyer)]);
  return { paid, bought };
}

/** What `amount` sale units cost at `price`: ⌈amount × price / 10^18⌉, as the sale charges. */
export function saleCost(price: bigint, amount: bigint): bigint {
  return (amount * price + WAD - 1n) / WAD;
}

/**
 * Approve the cost and buy `amount` sale units in one transaction. The sale charges the
 * price of the block the purchase runs in; `maxCost` (default: the cost at the price read,
 * which a Dutch price only lowers) bounds it. `proof`: the buyer's allowlist proof.
 */
export function saleBuyCalls(
  sale: Pick<SaleInfo, "sale" | "payToken" | "price" | "phase" | "allowlistRoot">,
  amount: bigint,
  options: { maxCost?: bigint; proof?: Uint8Array[] } = {},
): CallRequest[] {
  if (amount <= 0n || amount > U128_MAX)
    throw new SaleError("BAD_AMOUNT", `amount ${amount} is not between 1 and 2^128 - 1 units`);
  if (sale.phase !== "open") throw new SaleError("NOT_OPEN", `the sale is ${sale.phase}, not open`);
  const proof = options.proof ?? [];
  if (sale.allowlistRoot !== null && proof.length === 0)
    throw new SaleError("ALLOWLIST_PROOF", "the sale has an allowlist: pass the buyer's proof");
  const maxCost = options.maxCost ?? saleCost(sale.price, amount);
  if (maxCost <= 0n || maxCost > U128_MAX)
    throw new SaleError("BAD_AMOUNT", `the cost ${maxCost} is not between 1 and 2^128 - 1 units`);
  return [
    {
      target: sale.payToken,
      method: "approve",
      args: tokenBinding.approve.encode(sale.sale, maxCost),
    },
    { target: sale.sale, method: "buy", args: saleBinding.buy.encode(amount, maxCost, proof) },
  ];
}

/**
 * Settle the caller's purchase of an ended sale: `finalize` first when nobody has, then
 * `claim` (a success: the tokens, paid out or into a vesting schedule) or `refund` (a
 * failure: the payment back). `kind` says which.
 */
export function saleSettleCalls(sale: Pick<SaleInfo, "sale" | "phase" | "raised" | "softCap" | "endTime">): {
  kind: "claim" | "refund";
  finalizes: boolean;
  calls: CallRequest[];
} {
  if (sale.phase === "open" || sale.phase === "upcoming" || sale.phase === "unfunded")
    throw new SaleError(
      "NOT_ENDED",
      `the sale is ${sale.phase}: it settles after its end (${new Date(Number(sale.endTime) * 1000).toISOString()}) or at its hard cap`,
    );
  const finalizes = sale.phase === "ended";
  const succeeded = sale.phase === "succeeded" || (finalizes && sale.raised >= sale.softCap);
  const kind = succeeded ? "claim" : "refund";
  const calls: CallRequest[] = finalizes
    ? [{ target: sale.sale, method: "finalize", args: saleBinding.finalize.encode() }]
    : [];
  calls.push({ target: sale.sale, method: kind, args: saleBinding[kind].encode() });
  return { kind, finalizes, calls };
}
