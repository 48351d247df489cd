// Events of the timelock (read by the build, which generates events.gen.ts).
import { Address, Bytes32, Indexed, U128 } from "../../sdk/index";

/** Operation `id` (a call of `method` on `target` with `args` and `value`) may run from `eta`. */
export declare function Queued(
  id: Indexed<Bytes32>,
  target: Address,
  value: U128,
  method: string,
  args: Uint8Array,
  eta: u64,
): void;
export declare function Executed(id: Indexed<Bytes32>, target: Address, method: string): void;
export declare function Cancelled(id: Indexed<Bytes32>): void;
export declare function DelayChanged(previous: u64, next: u64): void;
export declare function PendingAdminSet(pending: Indexed<Address>): void;
export declare function AdminChanged(previous: Indexed<Address>, next: Indexed<Address>): void;
