/**
 * A flash-swap borrower for the AMM pair tests: on `weftSwapCall` it pays `repay` of
 * `token` back to the calling pair (data = ABI(token address, repay u128)), or nothing.
 */
import { AbiReader, AbiWriter, Address, caller, callOrRevert, StorageValue, U128 } from "../../sdk/index";

const calls = new StorageValue<u32>("calls");

export function weftSwapCall(sender: Address, amount0Out: U128, amount1Out: U128, data: Uint8Array): void {
  calls.set(calls.get(0) + 1);
  const r = new AbiReader(data);
  const token = r.address();
  const repay = r.u128();
  if (repay.isZero()) return;
  const w = new AbiWriter();
  w.address(caller());
  w.u128(repay);
  callOrRevert(token, "transfer", w.finish());
  // The pair and amounts reached us intact.
  if (sender.isZero() || (amount0Out.isZero() && amount1Out.isZero())) unreachable();
}

export function callCount(): u32 {
  return calls.get(0);
}
