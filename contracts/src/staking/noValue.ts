/**
 * Only `delegate`, `delegateLocked` and `depositReward` take coin. Every other method starts
 * with `noValue()`: coin sent with it would otherwise stay in the contract, credited to nobody
 * (no pool, no reward, no way out). The call reverts instead, and the coin stays with the sender.
 */
import { callValue } from "../../sdk/index";
import { ValueNotAccepted } from "./errors.gen";

/** Reverts `ValueNotAccepted(value)` when the call carries coin. */
export function noValue(): void {
  const value = callValue();
  if (!value.isZero()) ValueNotAccepted(value);
}
