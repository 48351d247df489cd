/**
 * The AMM router (Uniswap V2 Router02 semantics): add and remove liquidity with minimum
 * amounts, exact-in and exact-out swaps over multi-hop paths, deadlines, and quotes.
 * Users approve the router on their tokens (and on LP tokens to remove liquidity); the
 * router moves them straight into the pairs with `transferFrom`.
 */
import {
  AbiReader,
  AbiWriter,
  Address,
  Bytes32,
  blockTime,
  CallResult,
  callContract,
  caller,
  callOrRevert,
  keccak256,
  revertRaw,
  StorageValue,
  tokenTransferFrom,
  U128,
} from "../../sdk/index";
import {
  ExcessiveInputAmount,
  Expired,
  InsufficientAAmount,
  InsufficientAmount,
  InsufficientBAmount,
  InsufficientLiquidity,
  InsufficientOutputAmount,
  InvalidPath,
  PairNotFound,
} from "./errors.gen";

const factorySlot = new StorageValue<Address>("factory");
const pairCodeHashSlot = new StorageValue<Bytes32>("pairCode");
const DEPLOY_DOMAIN = "weft/deploy/v1";

export function init(factory_: Address): void {
  factorySlot.set(factory_);
  pairCodeHashSlot.set(callOrRevert(factory_, "pairCodeHash", new Uint8Array(0)).value<Bytes32>());
}

/** What every pair address is derived from, read from storage once per call. */
class PairDerivation {
  constructor(
    /** `domain ‖ factory`, the preimage's start. */
    public head: Uint8Array,
    public codeHash: Uint8Array,
  ) {}
}

let derivation: PairDerivation | null = null;

function pairDerivation(): PairDerivation {
  let d = derivation;
  if (d === null) {
    const domainLength = String.UTF8.byteLength(DEPLOY_DOMAIN);
    const head = new Uint8Array(domainLength + 20);
    String.UTF8.encodeUnsafe(changetype<usize>(DEPLOY_DOMAIN), DEPLOY_DOMAIN.length, head.dataStart);
    head.set(factorySlot.get(Address.zero()).bytes, domainLength);
    d = new PairDerivation(head, pairCodeHashSlot.get(Bytes32.zero()).bytes);
    derivation = d;
  }
  return d;
}

/**
 * The address the factory creates the pair of two tokens at, computed here the way the
 * VM derives it (src/codec/address.ts) instead of asked of the factory: a swap then
 * costs three contract calls fewer. The factory's salt and constructor arguments are
 * both the sorted tokens, so one keccak serves as both.
 */
export function pairFor(tokenA: Address, tokenB: Address): Address {
  const aFirst = tokenA.lessThan(tokenB);
  const args = new AbiWriter(40);
  args.address(aFirst ? tokenA : tokenB);
  args.address(aFirst ? tokenB : tokenA);
  const argsHash = keccak256(args.finish()).bytes;
  const d = pairDerivation();
  const preimage = new AbiWriter(d.head.length + 96);
  preimage.raw(d.head);
  preimage.raw(argsHash);
  preimage.raw(d.codeHash);
  preimage.raw(argsHash);
  return new Address(keccak256(preimage.finish()).bytes.slice(12));
}

/** The pair of each hop of `path`, derived once for the whole swap. */
function pairsAlong(path: Array<Address>): Array<Address> {
  if (path.length < 2) InvalidPath();
  const pairs = new Array<Address>(path.length - 1);
  for (let i = 0; i < path.length - 1; i++) pairs[i] = pairFor(path[i], path[i + 1]);
  return pairs;
}

export function factory(): Address {
  return factorySlot.get(Address.zero());
}

// Quotes (pure).

/** amountA * reserveB / reserveA. */
export function quote(amountA: U128, reserveA: U128, reserveB: U128): U128 {
  if (amountA.isZero()) InsufficientAmount();
  if (reserveA.isZero() || reserveB.isZero()) InsufficientLiquidity();
  return amountA.mulDiv(reserveB, reserveA);
}

/** Output for an exact input, after the 0.3% fee. */
export function getAmountOut(amountIn: U128, reserveIn: U128, reserveOut: U128): U128 {
  if (amountIn.isZero()) InsufficientAmount();
  if (reserveIn.isZero() || reserveOut.isZero()) InsufficientLiquidity();
  const withFee = amountIn.mul(U128.fromU64(997));
  return withFee.mulDiv(reserveOut, reserveIn.mul(U128.fromU64(1000)).add(withFee));
}

/** Input needed for an exact output, after the 0.3% fee (rounded up). */
export function getAmountIn(amountOut: U128, reserveIn: U128, reserveOut: U128): U128 {
  if (amountOut.isZero()) InsufficientAmount();
  if (reserveIn.isZero() || !amountOut.lt(reserveOut)) InsufficientLiquidity();
  const numerator = reserveIn.mul(U128.fromU64(1000));
  const denominator = reserveOut.sub(amountOut).mul(U128.fromU64(997));
  return numerator.mulDiv(amountOut, denominator).add(U128.fromU64(1));
}

export function getAmountsOut(amountIn: U128, path: Array<Address>): Array<U128> {
  return amountsOut(amountIn, path, pairsAlong(path));
}

export function getAmountsIn(amountOut: U128, path: Array<Address>): Array<U128> {
  return amountsIn(amountOut, path, pairsAlong(path));
}

function amountsOut(amountIn: U128, path: Array<Address>, pairs: Array<Address>): Array<U128> {
  const amounts = new Array<U128>(path.length);
  amounts[0] = amountIn;
  for (let i = 0; i < path.length - 1; i++) {
    const r = reservesOf(pairs[i], path[i], path[i + 1]);
    amounts[i + 1] = getAmountOut(amounts[i], r[0], r[1]);
  }
  return amounts;
}

function amountsIn(amountOut: U128, path: Array<Address>, pairs: Array<Address>): Array<U128> {
  const amounts = new Array<U128>(path.length);
  amounts[path.length - 1] = amountOut;
  for (let i = path.length - 1; i > 0; i--) {
    const r = reservesOf(pairs[i - 1], path[i - 1], path[i]);
    amounts[i - 1] = getAmountIn(amounts[i], r[0], r[1]);
  }
  return amounts;
}

// Liquidity.

/** [amountA, amountB, liquidity]. Creates the pair if it does not exist. */
export function addLiquidity(
  tokenA: Address,
  tokenB: Address,
  amountADesired: U128,
  amountBDesired: U128,
  amountAMin: U128,
  amountBMin: U128,
  to: Address,
  deadline: u64,
): Array<U128> {
  ensure(deadline);
  let pair = pairOf(tokenA, tokenB);
  if (pair.isZero()) pair = createPair(tokenA, tokenB);
  const r = reservesOf(pair, tokenA, tokenB);
  let amountA = amountADesired;
  let amountB = amountBDesired;
  if (!(r[0].isZero() && r[1].isZero())) {
    const bOptimal = quote(amountADesired, r[0], r[1]);
    if (bOptimal.le(amountBDesired)) {
      if (bOptimal.lt(amountBMin)) InsufficientBAmount(bOptimal, amountBMin);
      amountB = bOptimal;
    } else {
      const aOptimal = quote(amountBDesired, r[1], r[0]);
      if (aOptimal.lt(amountAMin)) InsufficientAAmount(aOptimal, amountAMin);
      amountA = aOptimal;
    }
  }
  const from = caller();
  transferFrom(tokenA, from, pair, amountA);
  transferFrom(tokenB, from, pair, amountB);
  const w = new AbiWriter();
  w.address(to);
  const liquidity = callOrRevert(pair, "mint", w.finish()).value<U128>();
  return [amountA, amountB, liquidity];
}

/** [amountA, amountB]. The caller must have approved the router on the pair's LP token. */
export function removeLiquidity(
  tokenA: Address,
  tokenB: Address,
  liquidity: U128,
  amountAMin: U128,
  amountBMin: U128,
  to: Address,
  deadline: u64,
): Array<U128> {
  ensure(deadline);
  const pair = requirePair(tokenA, tokenB);
  transferFrom(pair, caller(), pair, liquidity);
  const w = new AbiWriter();
  w.address(to);
  const amounts = callOrRevert(pair, "burn", w.finish()).value<Array<U128>>();
  const aFirst = tokenA.lessThan(tokenB);
  const amountA = aFirst ? amounts[0] : amounts[1];
  const amountB = aFirst ? amounts[1] : amounts[0];
  if (amountA.lt(amountAMin)) InsufficientAAmount(amountA, amountAMin);
  if (amountB.lt(amountBMin)) InsufficientBAmount(amountB, amountBMin);
  return [amountA, amountB];
}

// Swaps.

export function swapExactTokensForTokens(
  amountIn: U128,
  amountOutMin: U128,
  path: Array<Address>,
  to: Address,
  deadline: u64,
): Array<U128> {
  ensure(deadline);
  const pairs = pairsAlong(path);
  const amounts = amountsOut(amountIn, path, pairs);
  const out = amounts[amounts.length - 1];
  if (out.lt(amountOutMin)) InsufficientOutputAmount(out, amountOutMin);
  transferFrom(path[0], caller(), pairs[0], amounts[0]);
  swapAlong(amounts, path, pairs, to);
  return amounts;
}

export function swapTokensForExactTokens(
  amountOut: U128,
  amountInMax: U128,
  path: Array<Address>,
  to: Address,
  deadline: u64,
): Array<U128> {
  ensure(deadline);
  const pairs = pairsAlong(path);
  const amounts = amountsIn(amountOut, path, pairs);
  if (amounts[0].gt(amountInMax)) ExcessiveInputAmount(amounts[0], amountInMax);
  transferFrom(path[0], caller(), pairs[0], amounts[0]);
  swapAlong(amounts, path, pairs, to);
  return amounts;
}

function swapAlong(amounts: Array<U128>, path: Array<Address>, pairs: Array<Address>, to: Address): void {
  for (let i = 0; i < path.length - 1; i++) {
    const input = path[i];
    const output = path[i + 1];
    const out = amounts[i + 1];
    const zeroForOne = input.lessThan(output);
    const recipient = i < path.length - 2 ? pairs[i + 1] : to;
    const w = new AbiWriter(56);
    w.u128(zeroForOne ? U128.Zero : out);
    w.u128(zeroForOne ? out : U128.Zero);
    w.address(recipient);
    w.u32(0); // no callback data: empty bytes
    callOrRevert(pairs[i], "swap", w.finish());
  }
}

function ensure(deadline: u64): void {
  const now = blockTime();
  if (now > deadline) Expired(deadline, now);
}

function pairOf(tokenA: Address, tokenB: Address): Address {
  const w = new AbiWriter();
  w.address(tokenA);
  w.address(tokenB);
  return callOrRevert(factory(), "getPair", w.finish()).value<Address>();
}

function requirePair(tokenA: Address, tokenB: Address): Address {
  const pair = pairOf(tokenA, tokenB);
  if (pair.isZero()) PairNotFound(tokenA, tokenB);
  return pair;
}

function createPair(tokenA: Address, tokenB: Address): Address {
  const w = new AbiWriter();
  w.address(tokenA);
  w.address(tokenB);
  return callOrRevert(factory(), "createPair", w.finish()).value<Address>();
}

/** [reserveA, reserveB] in the order of the arguments; a pair that was never created reverts with PairNotFound. */
function reservesOf(pair: Address, tokenA: Address, tokenB: Address): Array<U128> {
  const result: CallResult = callContract(pair, "getReserves", new Uint8Array(0));
  if (!result.ok) PairNotFound(tokenA, tokenB);
  const reserves = new AbiReader(result.data).read<Array<U128>>();
  return tokenA.lessThan(tokenB) ? [reserves[0], reserves[1]] : [reserves[1], reserves[0]];
}

function transferFrom(token: Address, from: Address, to: Address, amount: U128): void {
  const result = tokenTransferFrom(token, from, to, amount);
  if (!result.ok) revertRaw(result.data);
}
