// Events of the options contract (read by the build, which generates events.gen.ts).
import { Address, Indexed, U128 } from "../../sdk/index";

/** Series `id`: options on `underlying` at `strike` (quote units per underlying unit × 1e18), European, cash-settled at `expiry`. */
export declare function SeriesCreated(
  id: Indexed<u64>,
  underlying: Indexed<Address>,
  strike: U128,
  expiry: u64,
  isPut: bool,
): void;
/** ERC-1155's single transfer: minted (from zero), burned (to zero) or moved. */
export declare function TransferSingle(
  operator: Indexed<Address>,
  from: Indexed<Address>,
  to: Indexed<Address>,
  id: u64,
  value: U128,
): void;
/** ERC-1155's operator approval. */
export declare function ApprovalForAll(
  owner: Indexed<Address>,
  operator: Indexed<Address>,
  approved: bool,
): void;
/** `writer` locked `collateral` and minted `amount` options of series `id`. */
export declare function Written(
  id: Indexed<u64>,
  writer: Indexed<Address>,
  amount: U128,
  collateral: U128,
): void;
/** Series `id` settled at `price` (quote units per underlying unit × 1e18). */
export declare function Settled(id: Indexed<u64>, price: U128): void;
/** `holder` burned `amount` options of series `id` and was paid `payout` (underlying for calls, quote for puts). */
export declare function Exercised(
  id: Indexed<u64>,
  holder: Indexed<Address>,
  amount: U128,
  payout: U128,
): void;
/** `writer` took back `amount` of its collateral in series `id`, after settlement. */
export declare function Redeemed(id: Indexed<u64>, writer: Indexed<Address>, amount: U128): void;
