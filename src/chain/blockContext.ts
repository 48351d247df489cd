/** What a block's transactions share: the environment contracts see and who collects fees. */
import type { Address } from "../codec/address.js";
import type { BlockEnv } from "../vm/hostFunctions.js";

export interface BlockContext extends BlockEnv {
  /** Credited with every fee, as a commutative delta. */
  feeRecipient: Address;
}
