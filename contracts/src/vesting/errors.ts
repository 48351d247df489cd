// Errors of the vesting contract (read by the build, which generates errors.gen.ts).
import { Address, U128 } from "../../sdk/index";

/** A schedule needs an amount, a beneficiary, a duration, and a cliff within the duration. */
export declare function InvalidSchedule(reason: string): void;
/** No schedule has this id. */
export declare function UnknownSchedule(id: u64): void;
/** Nothing has vested beyond what was released. */
export declare function NothingToRelease(id: u64): void;
/** Only the schedule's creator may revoke it. */
export declare function NotCreator(id: u64, caller: Address): void;
/** The schedule was created irrevocable. */
export declare function NotRevocable(id: u64): void;
/** The schedule was revoked already. */
export declare function AlreadyRevoked(id: u64): void;
/** The token refused a transfer (the creator's funding, or a payment). */
export declare function TransferFailed(token: Address, to: Address, amount: U128): void;
