/**
 * The game's calls to the heroes' NFT (ERC-721 with ERC-4907 users: `rentableNft`) and to
 * its reward token (whose owner the game is: it mints rewards and burns what sinks take).
 * A failed call reverts with `CallFailed`, carrying the callee's revert data.
 */
import { AbiWriter, Address, CallResult, callContract, tokenBalanceOf, U128 } from "../../sdk/index";
import { CallFailed, InsufficientBalance } from "./errors.gen";
import { heroesSlot, tokenSlot } from "./state";

function call(target: Address, method: string, args: Uint8Array): CallResult {
  const result = callContract(target, method, args);
  if (!result.ok) CallFailed(target, method, result.data);
  return result;
}

function heroCall(method: string, heroId: u64): CallResult {
  const w = new AbiWriter();
  w.u64(heroId);
  return call(heroesSlot.get(Address.zero()), method, w.finish());
}

/** The hero's owner (a hero that does not exist reverts `CallFailed`). */
export function ownerOfHero(heroId: u64): Address {
  return heroCall("ownerOf", heroId).value<Address>();
}

/** The hero's ERC-4907 user: zero when none or its rental expired (`expires < now`). */
export function userOfHero(heroId: u64): Address {
  return heroCall("userOf", heroId).value<Address>();
}

export function userExpiresOf(heroId: u64): u64 {
  return heroCall("userExpires", heroId).value<u64>();
}

/** Makes `user` the hero's user until `expires` (the game must be approved for the hero). */
export function setHeroUser(heroId: u64, user: Address, expires: u64): void {
  const w = new AbiWriter();
  w.u64(heroId);
  w.address(user);
  w.u64(expires);
  call(heroesSlot.get(Address.zero()), "setUser", w.finish());
}

export function mintReward(to: Address, amount: U128): void {
  const w = new AbiWriter();
  w.address(to);
  w.u128(amount);
  call(tokenSlot.get(Address.zero()), "mint", w.finish());
}

/** Burns `amount` of `from`'s reward tokens (the game calls it only for its caller, who asked). */
export function burnReward(from: Address, amount: U128): void {
  const token = tokenSlot.get(Address.zero());
  const result = tokenBalanceOf(token, from);
  if (!result.ok) CallFailed(token, "balanceOf", result.data);
  const balance = result.value<U128>();
  if (balance.lt(amount)) InsufficientBalance(balance, amount);
  const w = new AbiWriter();
  w.address(from);
  w.u128(amount);
  call(token, "burn", w.finish());
}
