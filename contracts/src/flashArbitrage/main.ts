/**
 * Cross-pool arbitrage with no capital, by flash swap (docs/strategies.md). The owner's
 * account calls `swap` on the pool where the base token is cheap, lending itself `amount`
 * of it with this contract as the receiver and `data = (dear pool, repay, min profit)`; the
 * pool then calls `weftSwapCall` here, which
 *
 * 1. sells the borrowed tokens into the dear pool for the other token (at the dear pool's
 *    reserves when the transaction runs, with the router's exact fee math),
 * 2. repays the cheap pool `repay` of the other token: what its constant product asks for
 *    the loan, which the owner computes from its reserves (the pool cannot be read during
 *    its own swap: the VM refuses to reenter a contract on the call stack); too little and
 *    the pool's K check reverts everything,
 * 3. sends what is left to the owner, reverting (and so undoing the whole swap) when that
 *    is below the min profit.
 *
 * For the same reason the swap cannot be started from inside this contract: the owner's
 * account starts it, and `sender` (who called `swap`) must be the owner. `sender` is only
 * what the caller says, so the caller must first be a pool the contract trusts: the pair
 * one of its factories (given at `init`, at most `MAX_FACTORIES`) holds for the two tokens
 * (as Uniswap V2's flash-swap example checks); anyone else calling `weftSwapCall` could name
 * the owner as `sender` and take tokens sent here by mistake. Both pools must order their
 * tokens alike (factories sort them); the tokens are read from the dear pool. The contract
 * holds nothing between calls.
 */
import {
  AbiReader,
  AbiWriter,
  Address,
  CallResult,
  callContract,
  caller,
  callOrRevert,
  StorageValue,
  selfAddress,
  tokenBalanceOf,
  tokenTransfer,
  U128,
} from "../../sdk/index";
import {
  BadFactories,
  BadLoan,
  NotOwner,
  NotPair,
  PairMismatch,
  TransferFailed,
  Unprofitable,
} from "./errors.gen";
import { Arbitraged } from "./events.gen";

const ownerSlot = new StorageValue<Address>("owner");
const factoriesSlot = new StorageValue<Array<Address>>("factories");

/** Factories whose pairs may lend (the exchanges arbitraged between). */
const MAX_FACTORIES: i32 = 8;

/** `factories`: the exchanges whose pairs may lend to this contract (1 to `MAX_FACTORIES`). */
export function init(factories: Array<Address>): void {
  if (factories.length == 0 || factories.length > MAX_FACTORIES) BadFactories(<u32>factories.length);
  for (let i = 0; i < factories.length; i++) if (factories[i].isZero()) BadFactories(<u32>factories.length);
  ownerSlot.set(caller());
  factoriesSlot.set(factories);
}

export function owner(): Address {
  return ownerSlot.get(Address.zero());
}

export function factories(): Array<Address> {
  return factoriesSlot.get(new Array<Address>(0));
}

/** Whether `pool` is the pair one of the factories holds for the two tokens. */
function isFactoryPair(pool: Address, token0: Address, token1: Address): bool {
  const list = factories();
  const w = new AbiWriter();
  w.address(token0);
  w.address(token1);
  const args = w.finish();
  for (let i = 0; i < list.length; i++) {
    const pair = callContract(list[i], "getPair", args);
    if (pair.ok && pair.value<Address>().equals(pool)) return true;
  }
  return false;
}

function addressOf(result: CallResult): Address {
  if (!result.ok) PairMismatch(caller(), Address.zero());
  return result.value<Address>();
}

function reservesOf(pair: Address): Array<U128> {
  return callOrRevert(pair, "getReserves", new Uint8Array(0)).value<Array<U128>>();
}

function send(token: Address, to: Address, amount: U128): void {
  if (!tokenTransfer(token, to, amount)) TransferFailed(token, to, amount);
}

/** The router's exact-input quote, after the 0.3% fee. */
function amountOut(amountIn: U128, reserveIn: U128, reserveOut: U128): U128 {
  const withFee = amountIn.mul(U128.fromU64(997));
  return withFee.mulDiv(reserveOut, reserveIn.mul(U128.fromU64(1000)).add(withFee));
}

/** The flash swap's callback: sell into the dear pool, repay the cheap one (the caller), pay the owner. */
export function weftSwapCall(sender: Address, amount0Out: U128, amount1Out: U128, data: Uint8Array): void {
  const r = new AbiReader(data);
  const dear = r.address();
  const repay = r.u128();
  const minProfit = r.u128();
  r.finish();
  const cheap = caller();
  if (cheap.equals(dear)) PairMismatch(cheap, dear);
  const none = new Uint8Array(0);
  const token0 = addressOf(callContract(dear, "token0", none));
  const token1 = addressOf(callContract(dear, "token1", none));
  // Only a trusted pool's word on `sender` counts.
  if (!isFactoryPair(cheap, token0, token1)) NotPair(cheap);
  if (!sender.equals(owner())) NotOwner(sender);
  if (amount0Out.isZero() == amount1Out.isZero()) BadLoan(amount0Out, amount1Out);
  const baseIs0 = !amount0Out.isZero();
  const amount = baseIs0 ? amount0Out : amount1Out;
  const base = baseIs0 ? token0 : token1;
  const quote = baseIs0 ? token1 : token0;
  // The loan must be here: a pool of other tokens lent something else.
  const held = tokenBalanceOf(base, selfAddress());
  if (!held.ok || held.value<U128>().lt(amount)) PairMismatch(cheap, dear);
  // Sell the loan into the dear pool.
  const rd = reservesOf(dear);
  const proceeds = baseIs0 ? amountOut(amount, rd[0], rd[1]) : amountOut(amount, rd[1], rd[0]);
  if (proceeds.lt(repay.add(minProfit))) Unprofitable(proceeds, repay, minProfit);
  send(base, dear, amount);
  const w = new AbiWriter();
  w.u128(baseIs0 ? U128.Zero : proceeds);
  w.u128(baseIs0 ? proceeds : U128.Zero);
  w.address(selfAddress());
  w.bytes(none);
  callOrRevert(dear, "swap", w.finish());
  send(quote, cheap, repay);
  const profit = proceeds.sub(repay);
  if (!profit.isZero()) send(quote, sender, profit);
  // Nothing stays here.
  const left = tokenBalanceOf(quote, selfAddress());
  if (left.ok && !left.value<U128>().isZero()) send(quote, sender, left.value<U128>());
  Arbitraged(cheap, dear, base, amount, repay, profit);
}
