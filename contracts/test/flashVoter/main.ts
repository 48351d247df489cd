/**
 * A flash-loan governance attacker for the governor tests: on `weftFlashLoan` of a vote
 * token it delegates the borrowed tokens to itself, votes For on the proposal named in
 * `data` (ABI: governor address, proposal id), records the weight it got, and repays.
 */
import {
  AbiReader,
  AbiWriter,
  Address,
  caller,
  callOrRevert,
  StorageValue,
  selfAddress,
  U128,
} from "../../sdk/index";

const lastWeight = new StorageValue<U128>("weight");

export function weftFlashLoan(
  initiator: Address,
  asset: Address,
  amount: U128,
  fee: U128,
  data: Uint8Array,
): void {
  const r = new AbiReader(data);
  const governor = r.address();
  const id = r.bytes32();
  const d = new AbiWriter();
  d.address(selfAddress());
  callOrRevert(asset, "delegate", d.finish());
  const v = new AbiWriter();
  v.bytes32(id);
  v.u8(1);
  lastWeight.set(callOrRevert(governor, "castVote", v.finish()).value<U128>());
  const t = new AbiWriter();
  t.address(caller());
  t.u128(amount.add(fee));
  callOrRevert(asset, "transfer", t.finish());
  if (initiator.isZero()) unreachable();
}

export function weight(): U128 {
  return lastWeight.get(U128.max());
}
