// Events of the AMM factory (read by the build).
import { Address, Indexed } from "../../sdk/index";

/** A new pair for `token0` < `token1`; `index` is its position in `allPairs`. */
/** The protocol fee recipient changed (zero = fee off). */
export declare function FeeToChanged(feeTo: Address): void;
export declare function FeeToSetterChanged(setter: Address): void;
export declare function PairCreated(
  token0: Indexed<Address>,
  token1: Indexed<Address>,
  pair: Address,
  index: u32,
): void;
