// Events of the lending market (read by the build).
import { Address, Indexed, U128 } from "../../sdk/index";

export declare function MarketListed(
  asset: Indexed<Address>,
  collateralFactor: U128,
  reserveFactor: U128,
): void;
export declare function AccrueInterest(
  asset: Indexed<Address>,
  interest: U128,
  borrowIndex: U128,
  totalBorrows: U128,
): void;
export declare function Supply(
  asset: Indexed<Address>,
  account: Indexed<Address>,
  amount: U128,
  shares: U128,
): void;
export declare function Withdraw(
  asset: Indexed<Address>,
  account: Indexed<Address>,
  amount: U128,
  shares: U128,
): void;
export declare function Borrow(
  asset: Indexed<Address>,
  account: Indexed<Address>,
  amount: U128,
  debt: U128,
): void;
export declare function Repay(
  asset: Indexed<Address>,
  account: Indexed<Address>,
  payer: Address,
  amount: U128,
  debt: U128,
): void;
export declare function Liquidate(
  borrower: Indexed<Address>,
  liquidator: Indexed<Address>,
  debtAsset: Address,
  repaid: U128,
  collateralAsset: Address,
  seizedShares: U128,
): void;
export declare function FlashFeeChanged(bps: U128): void;
export declare function FlashLoan(
  asset: Indexed<Address>,
  receiver: Indexed<Address>,
  amount: U128,
  fee: U128,
): void;
/** The owner offered the ownership to `next`, who must accept it (`acceptOwnership`). */
export declare function OwnershipTransferStarted(previous: Indexed<Address>, next: Indexed<Address>): void;
/** The owner (who sets the market's parameters) changed. */
export declare function OwnershipTransferred(previous: Indexed<Address>, next: Indexed<Address>): void;
export declare function CollateralFactorChanged(asset: Indexed<Address>, previous: U128, next: U128): void;
export declare function ReserveFactorChanged(asset: Indexed<Address>, previous: U128, next: U128): void;
/** The market's rate model from now on (its interest so far accrued under the old one). */
export declare function RateModelChanged(
  asset: Indexed<Address>,
  baseRate: U128,
  multiplier: U128,
  jumpMultiplier: U128,
  kink: U128,
): void;
