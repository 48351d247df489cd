// Events of the flash arbitrage contract (read by the build, which generates events.gen.ts).
import { Address, Indexed, U128 } from "../../sdk/index";

/** `amount` of `base` borrowed from `cheap`, sold into `dear`; `profit` of the other token went to the owner. */
export declare function Arbitraged(
  cheap: Indexed<Address>,
  dear: Indexed<Address>,
  base: Address,
  amount: U128,
  repaid: U128,
  profit: U128,
): void;
