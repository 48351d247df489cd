// Errors of the timelock (read by the build, which generates errors.gen.ts).
import { Address, Bytes32 } from "../../sdk/index";

/** Only the admin (the governor) may queue, execute or cancel. */
export declare function NotAdmin(caller: Address): void;
/** An operation on the timelock itself names a method it does not have (setDelay, setPendingAdmin). */
export declare function UnknownOwnMethod(method: string): void;
/** Only the pending admin may accept. */
export declare function NotPendingAdmin(caller: Address): void;
/** The delay must lie between the minimum and the maximum (seconds). */
export declare function DelayOutOfRange(delay: u64, min: u64, max: u64): void;
/** An operation must be queued at least `delay` seconds ahead of its time. */
export declare function EtaTooSoon(eta: u64, earliest: u64): void;
/** The operation was queued already (and not executed or cancelled). */
export declare function AlreadyQueued(id: Bytes32): void;
/** No such operation is queued. */
export declare function NotQueued(id: Bytes32): void;
/** The operation's time has not come (`eta`, seconds). */
export declare function NotReady(id: Bytes32, eta: u64, now: u64): void;
/** The operation was not executed within the grace period after its time. */
export declare function Stale(id: Bytes32, eta: u64, expired: u64): void;
/** The call the operation makes failed; `data` is what it reverted with. */
export declare function ExecutionFailed(id: Bytes32, data: Uint8Array): void;
