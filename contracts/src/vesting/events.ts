// Events of the vesting contract (read by the build, which generates events.gen.ts).
import { Address, Indexed, U128 } from "../../sdk/index";

/** Schedule `id` holds `amount` for `beneficiary`: nothing before start + cliff, all at start + duration. */
export declare function ScheduleCreated(
  id: Indexed<u64>,
  beneficiary: Indexed<Address>,
  creator: Address,
  amount: U128,
  start: u64,
  cliff: u64,
  duration: u64,
  revocable: bool,
): void;
/** `amount` vested under schedule `id` was paid to its beneficiary. */
export declare function Released(id: Indexed<u64>, beneficiary: Indexed<Address>, amount: U128): void;
/** The creator revoked schedule `id`: `refund` (the unvested part) went back to it. */
export declare function Revoked(id: Indexed<u64>, refund: U128): void;
