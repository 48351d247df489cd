/**
 * Option values of the bots' command line, checked: a number within bounds, a token amount,
 * one of a few words. A bad one throws `BotUsageError`, which the command line turns into
 * its message, the help text and exit code 2.
 */
import { toUnits } from "./pool.js";

export class BotUsageError extends Error {
  override name = "BotUsageError";
}

/** `text` as a number in [min, max] (a whole one with `integer`), or `fallback` when absent. */
export function numberArg(
  name: string,
  text: string | undefined,
  bounds: { min: number; max: number; integer?: boolean },
  fallback?: number,
): number {
  if (text === undefined) {
    if (fallback === undefined) throw new BotUsageError(`--${name}: required`);
    return fallback;
  }
  const value = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(text.trim()) ? Number(text) : Number.NaN;
  const kind = bounds.integer === true ? "a whole number" : "a number";
  if (
    !Number.isFinite(value) ||
    value < bounds.min ||
    value > bounds.max ||
    (bounds.integer === true && !Number.isInteger(value))
  )
    throw new BotUsageError(
      `--${name}: ${kind} from ${bounds.min} to ${bounds.max}, not ${JSON.stringify(text)}`,
    );
  return value;
}

/** A token amount in whole tokens (18 decimals), more than 0 and at most `max` tokens. */
export function amountArg(name: string, text: string, max: number): bigint {
  let value: bigint;
  try {
    value = toUnits(text);
  } catch {
    throw new BotUsageError(`--${name}: an amount of tokens, not ${JSON.stringify(text)}`);
  }
  if (value <= 0n || value > toUnits(String(max)))
    throw new BotUsageError(`--${name}: more than 0 and at most ${max}, not ${JSON.stringify(text)}`);
  return value;
}

/** One of `choices`. */
export function choiceArg<T extends string>(
  name: string,
  text: string | undefined,
  choices: readonly T[],
  fallback: T,
): T {
  if (text === undefined) return fallback;
  if (!(choices as readonly string[]).includes(text))
    throw new BotUsageError(`--${name}: ${choices.join(" or ")}, not ${JSON.stringify(text)}`);
  return text as T;
}
