// Events of the option vault (read by the build, which generates events.gen.ts).
import { Address, Indexed, U128 } from "../../sdk/index";

/** `account` deposited `amount`, queued for the round after `round`. */
export declare function Deposited(account: Indexed<Address>, amount: U128, round: u64): void;
/** `account` took back `amount` of its deposit queued in `round`. */
export declare function InstantWithdrawal(account: Indexed<Address>, amount: U128, round: u64): void;
/** `account` queued `shares` for withdrawal at the close of `round`. */
export declare function WithdrawalInitiated(account: Indexed<Address>, shares: U128, round: u64): void;
/** `account` was paid `amount` for `shares` queued in a closed round. */
export declare function Withdrawn(account: Indexed<Address>, amount: U128, shares: U128): void;
/**
 * Round `round` closed with `assets` for `shares` (the price of its shares, before the
 * virtual ones), minting `minted` shares for queued deposits and setting aside `withdrawn`.
 */
export declare function RoundClosed(
  round: Indexed<u64>,
  assets: U128,
  shares: U128,
  minted: U128,
  withdrawn: U128,
): void;
/** Round `round` wrote `amount` options of series `seriesId`, offered at `premium` each (asset units × 1e18). */
export declare function RoundStarted(
  round: Indexed<u64>,
  seriesId: u64,
  strike: U128,
  expiry: u64,
  amount: U128,
  premium: U128,
): void;
/** `buyer` bought `amount` options of the round for `cost` of the vault's asset. */
export declare function OptionsBought(buyer: Indexed<Address>, amount: U128, cost: U128): void;
