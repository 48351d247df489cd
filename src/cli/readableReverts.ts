/**
 * Contract reverts rewritten for people: a revert's amounts in their token's unit
 * (`400 WLP`, not `400000000000000000000`), its Unix times as a UTC time and how far from
 * now (`2026-12-07 04:02:31 UTC (in 58 s)`), and the common causes said plainly: too few
 * tokens as "insufficient balance: you hold X SYMBOL, this needs Y SYMBOL", whichever
 * contract noticed (the token itself, the game's `InsufficientBalance`, or a contract's
 * `TransferFailed` when the sender's balance is what fell short). The exit code does not
 * change (4: the transaction reverted, or would have); the raw revert stays in `--json`'s
 * `revert` through the error's `output`.
 */
import type { Address } from "../codec/address.js";
import { type DecodedRevert, TransactionRevertedError } from "../sdk/client/index.js";
import type { Context } from "./context.js";
import { amountText, balanceOf, insufficientBalance, type Unit, unitOf } from "./tokenAmounts.js";
import { whenFrom } from "./when.js";

/** Argument names that hold a Unix time in seconds, in the contracts the CLI explains. */
const TIME_ARGS = new Set([
  "endsAt",
  "now",
  "expires",
  "questEndsAt",
  "listedAt",
  "deadline",
  "eta",
  "endTime",
  "startTime",
  "expiry",
  "until",
  "completesAt",
  "next",
]);

export interface RevertHelp {
  /** Who sent (or would send) the transaction: whose balance "you hold" reads. */
  sender: Address;
  /** The unit of each amount argument of this revert (by argument name), if any. */
  units?: (revert: DecodedRevert) => Promise<Record<string, Unit>> | Record<string, Unit>;
  /** A plain message for this revert, replacing `transaction would revert: Name`. */
  message?: (revert: DecodedRevert, args: Record<string, string>) => string | undefined;
  /** Lines to add (what to do next). */
  hints?: (revert: DecodedRevert) => string[];
}

/** A revert whose message and detail lines were rewritten for people. */
export class ExplainedRevertError extends TransactionRevertedError {
  constructor(
    original: TransactionRevertedError,
    revert: DecodedRevert,
    message: string | undefined,
    extra: string[],
  ) {
    super({
      status: original.status,
      phase: original.phase,
      output: original.output,
      revert,
      ...(original.hash === undefined ? {} : { hash: original.hash }),
      receipt: original.receipt,
      details: extra,
    });
    this.name = "TransactionRevertedError";
    if (message !== undefined) {
      const where =
        original.phase === "estimate"
          ? " (found by the gas estimate; nothing was sent)"
          : original.phase === "receipt"
            ? " (the transaction reverted)"
            : "";
      this.message = `${message}${where}`;
    }
  }
}

/** Runs `send`; a decoded revert it throws comes out explained (see the file's comment). */
export async function explainReverts<T>(ctx: Context, help: RevertHelp, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if (!(error instanceof TransactionRevertedError) || error.revert === undefined) throw error;
    let explained: Error;
    try {
      explained = await explain(ctx, help, error, error.revert);
    } catch {
      throw error; // explaining needs reads; if they fail, the original still says what happened
    }
    throw explained;
  }
}

async function explain(
  ctx: Context,
  help: RevertHelp,
  error: TransactionRevertedError,
  revert: DecodedRevert,
): Promise<Error> {
  const units = { ...((await help.units?.(revert)) ?? {}) };
  const raw = revert.args;
  // TransferFailed(token, to, amount): the token's unit, and the sender's balance if it fell short.
  let message: string | undefined;
  if (
    typeof raw.token === "string" &&
    /^0x[0-9a-f]{40}$/i.test(raw.token) &&
    typeof raw.amount === "bigint"
  ) {
    const token = raw.token as Address;
    const unit = units.amount ?? (await unitOf(ctx, token));
    units.amount = unit;
    if (revert.name === "TransferFailed") {
      const held = await balanceOf(ctx, token, help.sender);
      if (held < raw.amount) message = insufficientBalance(held, raw.amount, unit);
    }
  }
  // InsufficientBalance(balance, needed) (a token's, or a contract's own check).
  if (typeof raw.balance === "bigint" && typeof raw.needed === "bigint" && units.balance !== undefined)
    message = insufficientBalance(raw.balance, raw.needed, units.balance);
  const reference = typeof raw.now === "bigint" ? raw.now : await headTime(ctx);
  const args: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    const unit = units[name];
    if (typeof value === "bigint" && unit !== undefined) args[name] = amountText(value, unit);
    else if (typeof value === "bigint" && TIME_ARGS.has(name) && value > 0n && value < 1n << 40n)
      args[name] =
        name === "now" ? whenFrom(value, value).replace(/ \(now\)$/, "") : whenFrom(value, reference);
    else args[name] = typeof value === "bigint" ? value.toString() : (value as string);
  }
  message = help.message?.(revert, args) ?? message;
  const skip = (error.hash === undefined ? 0 : 1) + 1 + Object.keys(raw).length;
  const extra = [...(help.hints?.(revert) ?? []), ...error.details.slice(skip)];
  const shown: DecodedRevert = {
    name: revert.name,
    args,
    ...(revert.contract ? { contract: revert.contract } : {}),
  };
  return new ExplainedRevertError(error, shown, message, extra);
}

/** The head block's time (what the next block's time is measured from), else the wall clock. */
export async function headTime(ctx: Context): Promise<bigint> {
  const head = await ctx.client.getBlock().catch(() => undefined);
  return head?.time === undefined ? BigInt(Math.floor(Date.now() / 1000)) : BigInt(head.time);
}
