// Errors of the option vault (read by the build, which generates errors.gen.ts).
import { Address, U128 } from "../../sdk/index";

/** The vault's parameters at creation were invalid. */
export declare function InvalidConfig(reason: string): void;
/** Starting a round, setting its premium and rolling an idle round are the manager's. */
export declare function NotManager(caller: Address): void;
/** Depositing, withdrawing or buying nothing. */
export declare function ZeroAmount(): void;
/** A round's options are out: start waits for the round to be closed. */
export declare function RoundActive(round: u64): void;
/** The round's options expire at `expiry`: closing waits for it. */
export declare function RoundNotExpired(expiry: u64, now: u64): void;
/** No round's options are on sale. */
export declare function NoActiveRound(): void;
/** The strike rule gave no strike (a put's strike below one step). */
export declare function BadStrike(spot: U128, strike: U128): void;
/** The manager's premium rate is outside the vault's bounds. */
export declare function PremiumOutOfBounds(rate: U128, min: U128, max: U128): void;
/** Fewer unsold options than asked for. */
export declare function NotEnoughOptions(available: U128, requested: U128): void;
/** The options cost more than the buyer's limit. */
export declare function CostAboveLimit(cost: U128, maxCost: U128): void;
/** More than the account's deposit of this round (for an instant withdrawal) or its shares. */
export declare function Insufficient(what: string, available: U128, requested: U128): void;
/** A withdrawal from an earlier round must be completed before another is initiated. */
export declare function WithdrawalPending(round: u64): void;
/** The account initiated no withdrawal. */
export declare function NoWithdrawal(account: Address): void;
/** A withdrawal initiated in round `round` completes after that round is closed. */
export declare function WithdrawalNotReady(round: u64): void;
/** A token's `transfer` or `transferFrom` failed or returned false. */
export declare function TransferFailed(token: Address, to: Address, amount: U128): void;
