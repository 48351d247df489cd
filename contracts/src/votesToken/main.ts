/**
 * A fungible token with ERC-20 semantics whose holders vote, in the manner of
 * OpenZeppelin's ERC20Votes. A holder's balance counts only once delegated (to itself or
 * to anyone): `delegate(to)` moves all of it, and every later transfer, mint or burn moves
 * the votes between the two holders' delegates, so no token is ever counted twice. Each
 * delegate's votes, and the total supply, keep checkpoints by block number
 * (`checkpoints.ts`): `getPastVotes(account, block)` and `getPastTotalSupply(block)` give
 * the figures at the end of a past block, which is what a governor counts at a proposal's
 * snapshot. Tokens bought, borrowed or delegated after it do not vote on it.
 *
 * Gas is bounded for every holder: a change writes at most one checkpoint per delegate
 * touched, and a past lookup is a binary search (log2 of the history's length reads).
 * Delegation by signature (`delegateBySig`) is left out: accounts are contracts here, and
 * a paymaster can pay for another account's `delegate`, which is what it was for.
 */
import { Address, blockHeight, caller, StorageMap, U128 } from "../../sdk/index";
import { balances, initToken, onlyOwner, spendAllowance, supplySlot } from "../token/erc20";
import { Trace } from "./checkpoints";
import { CheckpointOutOfRange, FutureLookup, InsufficientBalance, ZeroAddress } from "./errors.gen";
import { DelegateChanged, DelegateVotesChanged, Transfer } from "./events.gen";

export {
  allowance,
  approve,
  balanceOf,
  decimals,
  name,
  owner,
  symbol,
  totalSupply,
  transferOwnership,
} from "../token/erc20";

const delegation = new StorageMap<Address, Address>("dlg");
/** Each delegate's votes. */
const votes = new Trace("v");
/** The total supply, under the zero address. */
const supplyTrace = new Trace("s");

/** Sets the metadata, mints `supply` to `owner_` and makes it the owner. */
export function init(name_: string, symbol_: string, decimals_: u8, supply: U128, owner_: Address): void {
  initToken(name_, symbol_, decimals_, owner_);
  if (!supply.isZero()) update(Address.zero(), owner_, supply);
}

/** The clock checkpoints are kept by: the block number. */
export function clock(): u64 {
  return blockHeight();
}

/** ERC-6372's description of the clock. */
export function CLOCK_MODE(): string {
  return "mode=blocknumber&from=default";
}

/** Whom `account` delegates its votes to (zero: nobody, so they do not count). */
export function delegates(account: Address): Address {
  return delegation.get(account, Address.zero());
}

/** `account`'s votes now. */
export function getVotes(account: Address): U128 {
  return votes.latest(account);
}

/** `account`'s votes at the end of block `timepoint`, which must be past. */
export function getPastVotes(account: Address, timepoint: u64): U128 {
  requirePast(timepoint);
  return votes.upperLookup(account, timepoint);
}

/** The total supply at the end of block `timepoint`, which must be past. */
export function getPastTotalSupply(timepoint: u64): U128 {
  requirePast(timepoint);
  return supplyTrace.upperLookup(Address.zero(), timepoint);
}

export function numCheckpoints(account: Address): u32 {
  return votes.length(account);
}

/** Checkpoint `pos` of `account`: [block, votes from that block on]. */
export function checkpoints(account: Address, pos: u32): Array<U128> {
  const count = votes.length(account);
  if (pos >= count) CheckpointOutOfRange(account, pos, count);
  return [U128.fromU64(votes.blockAt(account, pos)), votes.valueAt(account, pos)];
}

function requirePast(timepoint: u64): void {
  const now = blockHeight();
  if (timepoint >= now) FutureLookup(timepoint, now);
}

/** Moves all of the caller's votes to `delegatee` (zero: to nobody). */
export function delegate(delegatee: Address): void {
  const delegator = caller();
  const previous = delegation.get(delegator, Address.zero());
  delegation.set(delegator, delegatee);
  DelegateChanged(delegator, previous, delegatee);
  moveVotes(previous, delegatee, balances.get(delegator, U128.Zero));
}

/** Moves `amount` from the caller to `to`. */
export function transfer(to: Address, amount: U128): bool {
  if (to.isZero()) ZeroAddress();
  update(caller(), to, amount);
  return true;
}

/** Moves `amount` from `from` to `to`, spending the caller's allowance (an allowance of u128::MAX is never spent). */
export function transferFrom(from: Address, to: Address, amount: U128): bool {
  if (to.isZero()) ZeroAddress();
  spendAllowance(from, amount);
  update(from, to, amount);
  return true;
}

/** Creates `amount` new tokens for `to` (owner only). */
export function mint(to: Address, amount: U128): void {
  onlyOwner();
  if (to.isZero()) ZeroAddress();
  update(Address.zero(), to, amount);
}

/** Destroys `amount` of `from`'s tokens (owner only). */
export function burn(from: Address, amount: U128): void {
  onlyOwner();
  if (from.isZero()) ZeroAddress();
  update(from, Address.zero(), amount);
}

/** Moves `amount` from `from` to `to` (zero `from`: a mint; zero `to`: a burn), with the votes. */
function update(from: Address, to: Address, amount: U128): void {
  if (from.isZero()) {
    // Checked: a supply past u128 reverts.
    const supply = supplySlot.get(U128.Zero).add(amount);
    supplySlot.set(supply);
    supplyTrace.push(Address.zero(), blockHeight(), supply);
  } else {
    const fromBalance = balances.get(from, U128.Zero);
    if (fromBalance.lt(amount)) InsufficientBalance(from, fromBalance, amount);
    if (from.equals(to)) {
      Transfer(from, to, amount);
      return;
    }
    balances.set(from, fromBalance.sub(amount));
  }
  if (to.isZero()) {
    const supply = supplySlot.get(U128.Zero).sub(amount);
    supplySlot.set(supply);
    supplyTrace.push(Address.zero(), blockHeight(), supply);
  } else balances.set(to, balances.get(to, U128.Zero).add(amount));
  Transfer(from, to, amount);
  moveVotes(delegation.get(from, Address.zero()), delegation.get(to, Address.zero()), amount);
}

/** Moves `amount` of votes from delegate `src` to delegate `dst` (zero: nobody). */
function moveVotes(src: Address, dst: Address, amount: U128): void {
  if (src.equals(dst) || amount.isZero()) return;
  const now = blockHeight();
  if (!src.isZero()) {
    const before = votes.latest(src);
    const after = before.sub(amount);
    votes.push(src, now, after);
    DelegateVotesChanged(src, before, after);
  }
  if (!dst.isZero()) {
    const before = votes.latest(dst);
    const after = before.add(amount);
    votes.push(dst, now, after);
    DelegateVotesChanged(dst, before, after);
  }
}
