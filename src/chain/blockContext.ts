/** What a block's transactions share: the environment contracts see and who collects fees. */
import type { Address } from "../codec/address.js";
import type { BlockEnv } from "../vm/hostContext.js";

export interface BlockContext extends BlockEnv {
  /** Credited with every fee (for envelopes: the priority part), as a commutative delta. */
  feeRecipient: Address;
  /**
   * The block's base fee per gas (EIP-1559 style): every envelope pays at least this much
   * per gas, and that part is burned; only the priority part goes to the fee recipient.
   * Absent = 0 (tests, benchmarks, genesis).
   */
  baseFee?: bigint;
  /**
   * Hashes of the blocks before this one, the parent first, at most 256 (fewer near
   * genesis): what EVM code reads with BLOCKHASH, and the parent's hash is PREVRANDAO's
   * seed (`evmBlock.ts`). Absent = none known (genesis, tests): BLOCKHASH answers zero.
   */
  recentHashes?: readonly Uint8Array[];
  /**
   * The block gas limit in Weft gas (the chain's limit, as the parent's header carries
   * it): EVM code sees it as GASLIMIT in EVM gas (`evmBlock.ts`). Absent = 3e9.
   */
  gasLimit?: bigint;
}
