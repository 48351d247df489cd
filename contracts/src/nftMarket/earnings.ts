/**
 * What the market owes each account, in native coin. An account's earnings are spread
 * over `LANES` keys, `earn[account][tokenId % LANES]`, and credited by commutative updates
 * (`storage_add`): a collection's royalty receiver is credited by every sale of the
 * collection, and with a plain read and write every sale would depend on the one before.
 * (The lanes came first, when only sales of tokens in the same lane shared a key; they stay
 * so that stored earnings keep their keys.) `claim` sums and deletes the lanes.
 */
import { Address, StorageMap2, U128 } from "../../sdk/index";

export const LANES: u8 = 16;

const earnings = new StorageMap2<Address, u8, U128>("earn");

export function laneOf(tokenId: u64): u8 {
  return <u8>(tokenId % <u64>LANES);
}

/**
 * Adds `amount` to what the market owes `account`, by a commutative update (`tryAdd`): sales
 * crediting one royalty receiver do not depend on each other even in one lane. (The sum of
 * every payment the market took stays below the coin supply, so the update cannot pass u128.)
 */
export function credit(account: Address, tokenId: u64, amount: U128): void {
  if (amount.isZero()) return;
  const lane = laneOf(tokenId);
  if (!earnings.tryAdd(account, lane, amount)) earnings.get(account, lane, U128.Zero).add(amount);
}

/** The sum of the account's lanes. */
export function owed(account: Address): U128 {
  let total = U128.Zero;
  for (let lane: u8 = 0; lane < LANES; lane++) total = total.add(earnings.get(account, lane, U128.Zero));
  return total;
}

/** The sum of the account's lanes, which are deleted. */
export function takeAll(account: Address): U128 {
  let total = U128.Zero;
  for (let lane: u8 = 0; lane < LANES; lane++) {
    const amount = earnings.get(account, lane, U128.Zero);
    if (amount.isZero()) continue;
    total = total.add(amount);
    earnings.delete(account, lane);
  }
  return total;
}
