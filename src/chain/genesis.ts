/** The state a chain starts from: prefunded accounts. */
import type { Address } from "../codec/address.js";
import { encodeU128 } from "../engine/deltas.js";
import { balanceKey } from "../state/keys.js";
import type { WriteSet } from "../state/storage.js";

export interface GenesisSpec {
  /** Native coin per account. */
  balances: ReadonlyArray<readonly [Address, bigint]>;
}

/** The write set that creates the genesis state. */
export function genesisWrites(spec: GenesisSpec): WriteSet {
  const writes: WriteSet = new Map();
  for (const [address, amount] of spec.balances) writes.set(balanceKey(address), encodeU128(amount));
  return writes;
}
