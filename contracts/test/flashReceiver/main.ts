/**
 * A flash-loan receiver for the lending tests: on `weftFlashLoan` it sends `repay`
 * (data = ABI u128) of the asset back to the lender, and counts its calls.
 */
import {
  AbiReader,
  AbiWriter,
  Address,
  caller,
  callOrRevert,
  require,
  StorageValue,
  U128,
} from "../../sdk/index";

const calls = new StorageValue<u32>("calls");

export function weftFlashLoan(
  initiator: Address,
  asset: Address,
  amount: U128,
  fee: U128,
  data: Uint8Array,
): void {
  calls.set(calls.get(0) + 1);
  require(!initiator.isZero() && !amount.isZero(), "bad flash loan arguments");
  const r = new AbiReader(data);
  const repay = r.u128();
  if (repay.eq(U128.max())) require(false, "receiver refuses");
  if (repay.isZero()) return;
  const w = new AbiWriter();
  w.address(caller());
  w.u128(repay);
  callOrRevert(asset, "transfer", w.finish());
  if (fee.gt(amount)) unreachable();
}

export function callCount(): u32 {
  return calls.get(0);
}
