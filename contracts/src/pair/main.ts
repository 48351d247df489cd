/**
 * A constant-product AMM pair with Uniswap V2 semantics: reserves of two tokens, a
 * liquidity token (ERC-20), `mint`/`burn` of liquidity from tokens sent to the pair
 * first, `swap` with a 0.3% fee taken from the input and the invariant
 * `(b0*1000 - in0*3) * (b1*1000 - in1*3) >= r0 * r1 * 1000^2` checked on every swap,
 * flash swaps (output first, paid back in a `weftSwapCall` callback in the same call),
 * `skim` and `sync`. The first mint locks 1,000 units of liquidity forever.
 *
 * Reentrancy into the pair is impossible (the VM refuses it), which is what Uniswap's
 * lock achieves. The protocol fee is the factory's `feeTo` (off when zero). The TWAP
 * price accumulators (`price0CumulativeLast`, ...) work as in Uniswap V2.
 */
import {
  AbiWriter,
  Address,
  blockTime,
  CallResult,
  callContract,
  caller,
  revertRaw,
  StorageMap,
  StorageMap2,
  StorageValue,
  selfAddress,
  tokenBalanceOf,
  tokenTransfer,
  U128,
  U256,
} from "../../sdk/index";
import {
  BadTokenOrder,
  BalanceOverflow,
  InsufficientAllowance,
  InsufficientBalance,
  InsufficientInputAmount,
  InsufficientLiquidity,
  InsufficientLiquidityBurned,
  InsufficientLiquidityMinted,
  InsufficientOutputAmount,
  InvalidTo,
  KInvariant,
  TransferFailed,
} from "./errors.gen";
import { Approval, Burn, Mint, Swap, Sync, Transfer } from "./events.gen";

const MINIMUM_LIQUIDITY: u64 = 1000;
/** Reserves stay below 2^112. */
const MAX_RESERVE = new U128(0, (<u64>1) << 48);

const token0Slot = new StorageValue<Address>("t0");
const token1Slot = new StorageValue<Address>("t1");
const reserve0Slot = new StorageValue<U128>("r0");
const reserve1Slot = new StorageValue<U128>("r1");
const supplySlot = new StorageValue<U128>("supply");
const factorySlot = new StorageValue<Address>("factory");
/** Uniswap V2's TWAP accumulators: sum over time of each price (UQ112x112) times seconds, wrapping. */
const price0CumulativeSlot = new StorageValue<U256>("p0c");
const price1CumulativeSlot = new StorageValue<U256>("p1c");
const timestampLastSlot = new StorageValue<u64>("tLast");
/** reserve0 * reserve1 after the last liquidity event, while the protocol fee is on. */
const kLastSlot = new StorageValue<U256>("kLast");
const balances = new StorageMap<Address, U128>("bal");
const allowances = new StorageMap2<Address, Address, U128>("allow");

/** Sets the pair's two tokens (ascending addresses). */
export function init(tokenA: Address, tokenB: Address): void {
  if (!tokenA.lessThan(tokenB)) BadTokenOrder();
  token0Slot.set(tokenA);
  token1Slot.set(tokenB);
  factorySlot.set(caller());
  reserve0Slot.set(U128.Zero);
  reserve1Slot.set(U128.Zero);
  supplySlot.set(U128.Zero);
}

export function token0(): Address {
  return token0Slot.get(Address.zero());
}

export function token1(): Address {
  return token1Slot.get(Address.zero());
}

/** [reserve0, reserve1]. */
export function factory(): Address {
  return factorySlot.get(Address.zero());
}

/** Sum of price0 (token1 per token0, UQ112x112) times seconds since the pair began; wraps at 2^256. */
export function price0CumulativeLast(): U256 {
  return price0CumulativeSlot.get(new U256());
}

export function price1CumulativeLast(): U256 {
  return price1CumulativeSlot.get(new U256());
}

export function blockTimestampLast(): u64 {
  return timestampLastSlot.get(0);
}

export function kLast(): U256 {
  return kLastSlot.get(new U256());
}

export function getReserves(): Array<U128> {
  return [reserve0Slot.get(U128.Zero), reserve1Slot.get(U128.Zero)];
}

/** Mints liquidity for the tokens sent to the pair since the last update. */
export function mint(to: Address): U128 {
  const r0 = reserve0Slot.get(U128.Zero);
  const r1 = reserve1Slot.get(U128.Zero);
  const b0 = balanceOfToken(token0());
  const b1 = balanceOfToken(token1());
  const amount0 = b0.sub(r0);
  const amount1 = b1.sub(r1);
  const feeOn = mintFee(r0, r1);
  const supply = supplySlot.get(U128.Zero);
  let liquidity: U128;
  if (supply.isZero()) {
    const root = U128.sqrtOfProduct(amount0, amount1);
    const locked = U128.fromU64(MINIMUM_LIQUIDITY);
    if (root.le(locked)) InsufficientLiquidityMinted();
    liquidity = root.sub(locked);
    mintLp(Address.zero(), locked);
  } else {
    liquidity = U128.min(amount0.mulDiv(supply, r0), amount1.mulDiv(supply, r1));
  }
  if (liquidity.isZero()) InsufficientLiquidityMinted();
  mintLp(to, liquidity);
  update(b0, b1);
  if (feeOn) kLastSlot.set(U256.fromU128(b0).mul128(b1));
  Mint(caller(), amount0, amount1);
  return liquidity;
}

/** Burns the liquidity tokens sent to the pair; pays out both tokens pro rata to `to`. [amount0, amount1]. */
export function burn(to: Address): Array<U128> {
  const t0 = token0();
  const t1 = token1();
  const self = selfOnce();
  const b0 = balanceOfToken(t0);
  const b1 = balanceOfToken(t1);
  const liquidity = balances.get(self, U128.Zero);
  const feeOn = mintFee(reserve0Slot.get(U128.Zero), reserve1Slot.get(U128.Zero));
  const supply = supplySlot.get(U128.Zero);
  if (liquidity.isZero() || supply.isZero()) InsufficientLiquidityBurned();
  const amount0 = liquidity.mulDiv(b0, supply);
  const amount1 = liquidity.mulDiv(b1, supply);
  if (amount0.isZero() || amount1.isZero()) InsufficientLiquidityBurned();
  burnLp(self, liquidity);
  sendToken(t0, to, amount0);
  sendToken(t1, to, amount1);
  const n0 = balanceOfToken(t0);
  const n1 = balanceOfToken(t1);
  update(n0, n1);
  if (feeOn) kLastSlot.set(U256.fromU128(n0).mul128(n1));
  Burn(caller(), amount0, amount1, to);
  return [amount0, amount1];
}

/**
 * Sends `amount0Out`/`amount1Out` to `to`; if `data` is not empty, calls
 * `to.weftSwapCall(sender, amount0Out, amount1Out, data)` (a flash swap); then requires
 * the input (what the pair's balances exceed the remaining reserves by) to keep the
 * constant product after the 0.3% fee.
 */
export function swap(amount0Out: U128, amount1Out: U128, to: Address, data: Uint8Array): void {
  if (amount0Out.isZero() && amount1Out.isZero()) InsufficientOutputAmount();
  const r0 = reserve0Slot.get(U128.Zero);
  const r1 = reserve1Slot.get(U128.Zero);
  if (!amount0Out.lt(r0) || !amount1Out.lt(r1)) InsufficientLiquidity(r0, r1);
  const t0 = token0();
  const t1 = token1();
  if (to.equals(t0) || to.equals(t1)) InvalidTo(to);
  if (!amount0Out.isZero()) sendToken(t0, to, amount0Out);
  if (!amount1Out.isZero()) sendToken(t1, to, amount1Out);
  if (data.length > 0) {
    const w = new AbiWriter();
    w.address(caller());
    w.u128(amount0Out);
    w.u128(amount1Out);
    w.bytes(data);
    const result = callContract(to, "weftSwapCall", w.finish());
    if (!result.ok) bubble(result);
  }
  const b0 = balanceOfToken(t0);
  const b1 = balanceOfToken(t1);
  const left0 = r0.sub(amount0Out);
  const left1 = r1.sub(amount1Out);
  const in0 = b0.gt(left0) ? b0.sub(left0) : U128.Zero;
  const in1 = b1.gt(left1) ? b1.sub(left1) : U128.Zero;
  if (in0.isZero() && in1.isZero()) InsufficientInputAmount();
  if (!b0.lt(MAX_RESERVE) || !b1.lt(MAX_RESERVE)) BalanceOverflow();
  const thousand = U128.fromU64(1000);
  const three = U128.fromU64(3);
  const adjusted0 = b0.mul(thousand).sub(in0.mul(three));
  const adjusted1 = b1.mul(thousand).sub(in1.mul(three));
  const after = U256.fromU128(adjusted0).mul128(adjusted1);
  const before = U256.fromU128(r0.mul(thousand)).mul128(r1.mul(thousand));
  if (after.lt(before)) KInvariant();
  update(b0, b1);
  Swap(caller(), in0, in1, amount0Out, amount1Out, to);
}

/** Sends the pair's token balances above its reserves to `to`. */
export function skim(to: Address): void {
  const t0 = token0();
  const t1 = token1();
  const extra0 = balanceOfToken(t0).sub(reserve0Slot.get(U128.Zero));
  const extra1 = balanceOfToken(t1).sub(reserve1Slot.get(U128.Zero));
  if (!extra0.isZero()) sendToken(t0, to, extra0);
  if (!extra1.isZero()) sendToken(t1, to, extra1);
}

/** Sets the reserves to the pair's balances. */
export function sync(): void {
  update(balanceOfToken(token0()), balanceOfToken(token1()));
}

// The liquidity token (ERC-20).

export function name(): string {
  return "Weft LP";
}

export function symbol(): string {
  return "WLP";
}

export function decimals(): u8 {
  return 18;
}

export function totalSupply(): U128 {
  return supplySlot.get(U128.Zero);
}

export function balanceOf(account: Address): U128 {
  return balances.get(account, U128.Zero);
}

export function allowance(holder: Address, spender: Address): U128 {
  return allowances.get(holder, spender, U128.Zero);
}

export function transfer(to: Address, amount: U128): bool {
  moveLp(caller(), to, amount);
  return true;
}

export function approve(spender: Address, amount: U128): bool {
  const holder = caller();
  allowances.set(holder, spender, amount);
  Approval(holder, spender, amount);
  return true;
}

export function transferFrom(from: Address, to: Address, amount: U128): bool {
  const spender = caller();
  const allowed = allowances.get(from, spender, U128.Zero);
  if (allowed.lt(amount)) InsufficientAllowance(from, spender, allowed, amount);
  if (!allowed.eq(U128.max())) allowances.set(from, spender, allowed.sub(amount));
  moveLp(from, to, amount);
  return true;
}

function update(b0: U128, b1: U128): void {
  if (!b0.lt(MAX_RESERVE) || !b1.lt(MAX_RESERVE)) BalanceOverflow();
  // Accumulate the prices of the reserves as they were, for the time they held.
  const now = blockTime();
  const last = timestampLastSlot.get(now);
  if (now > last) {
    const r0 = reserve0Slot.get(U128.Zero);
    const r1 = reserve1Slot.get(U128.Zero);
    if (!r0.isZero() && !r1.isZero()) {
      const elapsed = now - last;
      const p0 = U256.fromU128(r1).shl112().divWide(r0).mulWrapping(elapsed);
      const p1 = U256.fromU128(r0).shl112().divWide(r1).mulWrapping(elapsed);
      price0CumulativeSlot.set(price0CumulativeSlot.get(new U256()).addWrapping(p0));
      price1CumulativeSlot.set(price1CumulativeSlot.get(new U256()).addWrapping(p1));
    }
  }
  if (now != last || !timestampLastSlot.has()) timestampLastSlot.set(now);
  reserve0Slot.set(b0);
  reserve1Slot.set(b1);
  Sync(b0, b1);
}

/** The factory's fee recipient, or zero (fee off, or no factory). */
function feeRecipient(): Address {
  const result = callContract(factorySlot.get(Address.zero()), "feeTo", new Uint8Array(0));
  return result.ok ? result.value<Address>() : Address.zero();
}

/**
 * The protocol fee (Uniswap V2): when on, 1/6 of the growth of sqrt(k) since the last
 * liquidity event is minted as liquidity to the fee recipient. Returns whether it is on.
 */
function mintFee(r0: U128, r1: U128): bool {
  const to = feeRecipient();
  const feeOn = !to.isZero();
  const kLast = kLastSlot.get(new U256());
  if (feeOn) {
    if (!kLast.isZero()) {
      const rootK = U128.sqrtOfProduct(r0, r1);
      const rootKLast = kLast.sqrt();
      if (rootK.gt(rootKLast)) {
        const supply = supplySlot.get(U128.Zero);
        const denominator = rootK.mul(U128.fromU64(5)).add(rootKLast);
        const liquidity = supply.mulDiv(rootK.sub(rootKLast), denominator);
        if (!liquidity.isZero()) mintLp(to, liquidity);
      }
    }
  } else if (!kLast.isZero()) {
    kLastSlot.set(new U256());
  }
  return feeOn;
}

/** Re-raises a failed callback's error as the swap's own: the whole swap reverts with its reason. */
function bubble(result: CallResult): void {
  revertRaw(result.data);
}

/** This pair's address, asked of the host once per call (the global starts null in every frame). */
let selfCache: Address | null = null;

function selfOnce(): Address {
  const known = selfCache;
  if (known) return known; // not `!== null`: Address overloads the comparison
  const a = selfAddress();
  selfCache = a;
  return a;
}

function balanceOfToken(token: Address): U128 {
  const result = tokenBalanceOf(token, selfOnce());
  if (!result.ok) TransferFailed(token);
  return result.value<U128>();
}

function sendToken(token: Address, to: Address, amount: U128): void {
  if (!tokenTransfer(token, to, amount)) TransferFailed(token);
}

function mintLp(to: Address, amount: U128): void {
  supplySlot.set(supplySlot.get(U128.Zero).add(amount));
  balances.set(to, balances.get(to, U128.Zero).add(amount));
  Transfer(Address.zero(), to, amount);
}

function burnLp(from: Address, amount: U128): void {
  const balance = balances.get(from, U128.Zero);
  if (balance.lt(amount)) InsufficientBalance(from, balance, amount);
  balances.set(from, balance.sub(amount));
  supplySlot.set(supplySlot.get(U128.Zero).sub(amount));
  Transfer(from, Address.zero(), amount);
}

function moveLp(from: Address, to: Address, amount: U128): void {
  const fromBalance = balances.get(from, U128.Zero);
  if (fromBalance.lt(amount)) InsufficientBalance(from, fromBalance, amount);
  balances.set(from, fromBalance.sub(amount));
  balances.set(to, balances.get(to, U128.Zero).add(amount));
  Transfer(from, to, amount);
}
