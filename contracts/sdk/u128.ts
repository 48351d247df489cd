/**
 * Unsigned 128-bit amounts with checked arithmetic: every operation that would overflow
 * or underflow reverts with `Overflow(string)` naming the operation, never wraps.
 */
import { AbiWriter } from "./abi";
import { revertWith } from "./errors";

function overflow(op: string): void {
  const w = new AbiWriter();
  w.string("u128 " + op);
  revertWith("Overflow", w.finish());
}

/** (lo, hi) of the full 128-bit product of two u64. */
function mul64(a: u64, b: u64, out: StaticArray<u64>): void {
  const aL = a & 0xffffffff;
  const aH = a >> 32;
  const bL = b & 0xffffffff;
  const bH = b >> 32;
  const ll = aL * bL;
  const lh = aL * bH;
  const hl = aH * bL;
  const hh = aH * bH;
  const mid = (ll >> 32) + (lh & 0xffffffff) + (hl & 0xffffffff);
  unchecked((out[0] = (mid << 32) | (ll & 0xffffffff)));
  unchecked((out[1] = hh + (lh >> 32) + (hl >> 32) + (mid >> 32)));
}

const MASK32: u64 = 0xffffffff;
// Scratch digits of `U256.divWide`: the dividend (then the remainder) and one more, then
// the divisor; on the heap, made at the end of the start function (`scratch.ts`), not in
// static data, so that a frame dividing writes nothing below its snapshot's scratch.
const DIV_BYTES: i32 = (9 + 4) * 8;
let divScratch: usize = 0;

/** Where `divWide`'s digits are (allocated at the first use: `prepareScratch` does it at start). */
export function divDigits(): usize {
  let at = divScratch;
  if (at == 0) {
    at = heap.alloc(DIV_BYTES);
    divScratch = at;
  }
  return at;
}

/** Digit `i` of a scratch digit array. */
function digit(at: usize, i: i32): u64 {
  return load<u64>(at + ((<usize>i) << 3));
}

/** Sets digit `i` of a scratch digit array. */
function setScratch(at: usize, i: i32, value: u64): void {
  store<u64>(at + ((<usize>i) << 3), value);
}

/** Sets 32-bit digit `j` (0 = lowest) of `q` to `digit`. */
function setDigit(q: U256, j: i32, digit: u64): void {
  const shift = <u64>((j & 1) * 32);
  const limb = j >> 1;
  if (limb == 0) q.l0 |= digit << shift;
  else if (limb == 1) q.l1 |= digit << shift;
  else if (limb == 2) q.l2 |= digit << shift;
  else q.l3 |= digit << shift;
}

/** Number of significant bits of a u128. */
function bitLength128(v: U128): i32 {
  return v.hi != 0 ? 128 - <i32>clz(v.hi) : 64 - <i32>clz(v.lo);
}

export class U128 {
  constructor(
    public lo: u64 = 0,
    public hi: u64 = 0,
  ) {}

  static get Zero(): U128 {
    return new U128(0, 0);
  }

  static fromU64(value: u64): U128 {
    return new U128(value, 0);
  }

  static max(): U128 {
    return new U128(u64.MAX_VALUE, u64.MAX_VALUE);
  }

  isZero(): bool {
    return this.lo == 0 && this.hi == 0;
  }

  eq(o: U128): bool {
    return this.lo == o.lo && this.hi == o.hi;
  }

  lt(o: U128): bool {
    return this.hi < o.hi || (this.hi == o.hi && this.lo < o.lo);
  }

  le(o: U128): bool {
    return !o.lt(this);
  }

  gt(o: U128): bool {
    return o.lt(this);
  }

  ge(o: U128): bool {
    return !this.lt(o);
  }

  add(o: U128): U128 {
    const lo = this.lo + o.lo;
    const carry: u64 = lo < this.lo ? 1 : 0;
    const hi1 = this.hi + o.hi;
    if (hi1 < this.hi) overflow("addition overflow");
    const hi = hi1 + carry;
    if (hi < hi1) overflow("addition overflow");
    return new U128(lo, hi);
  }

  sub(o: U128): U128 {
    if (this.lt(o)) overflow("subtraction underflow");
    const borrow: u64 = this.lo < o.lo ? 1 : 0;
    return new U128(this.lo - o.lo, this.hi - o.hi - borrow);
  }

  mul(o: U128): U128 {
    if (this.hi != 0 && o.hi != 0) overflow("multiplication overflow");
    const p = new StaticArray<u64>(2);
    mul64(this.lo, o.lo, p);
    let hi = unchecked(p[1]);
    const cross = new StaticArray<u64>(2);
    if (this.hi != 0) {
      mul64(this.hi, o.lo, cross);
      if (unchecked(cross[1]) != 0) overflow("multiplication overflow");
      const h = hi + unchecked(cross[0]);
      if (h < hi) overflow("multiplication overflow");
      hi = h;
    }
    if (o.hi != 0) {
      mul64(o.hi, this.lo, cross);
      if (unchecked(cross[1]) != 0) overflow("multiplication overflow");
      const h = hi + unchecked(cross[0]);
      if (h < hi) overflow("multiplication overflow");
      hi = h;
    }
    return new U128(unchecked(p[0]), hi);
  }

  /** Integer division rounding down; division by zero reverts. */
  div(o: U128): U128 {
    return this.divRem(o, true);
  }

  rem(o: U128): U128 {
    return this.divRem(o, false);
  }

  private divRem(o: U128, quotient: bool): U128 {
    if (o.isZero()) overflow("division by zero");
    if (this.hi == 0 && o.hi == 0) {
      return quotient ? new U128(this.lo / o.lo, 0) : new U128(this.lo % o.lo, 0);
    }
    // Restoring division, one quotient bit per step. Steps above bit `top` (the dividend's
    // bit length minus the divisor's) never subtract: the partial remainder, `this >> i`,
    // has fewer bits than the divisor. So the remainder starts as `this >> (top + 1)`.
    const top = bitLength128(this) - bitLength128(o);
    if (top < 0) return quotient ? new U128(0, 0) : new U128(this.lo, this.hi);
    let qLo: u64 = 0;
    let qHi: u64 = 0;
    const s = top + 1; // 1..128
    let rLo: u64 =
      s >= 128 ? 0 : s >= 64 ? this.hi >> <u64>(s - 64) : (this.lo >> <u64>s) | (this.hi << (<u64>(64 - s)));
    let rHi: u64 = s >= 64 ? 0 : this.hi >> <u64>s;
    for (let i = top; i >= 0; i--) {
      // r = (r << 1) | bit i of this
      rHi = (rHi << 1) | (rLo >> 63);
      const bit = i >= 64 ? (this.hi >> <u64>(i - 64)) & 1 : (this.lo >> <u64>i) & 1;
      rLo = (rLo << 1) | bit;
      if (rHi > o.hi || (rHi == o.hi && rLo >= o.lo)) {
        const borrow: u64 = rLo < o.lo ? 1 : 0;
        rLo -= o.lo;
        rHi = rHi - o.hi - borrow;
        if (i >= 64) qHi |= (<u64>1) << (<u64>(i - 64));
        else qLo |= (<u64>1) << (<u64>i);
      }
    }
    return quotient ? new U128(qLo, qHi) : new U128(rLo, rHi);
  }

  /** floor(sqrt(a * b)), with a 256-bit product (Uniswap's first-mint liquidity). */
  static sqrtOfProduct(a: U128, b: U128): U128 {
    return U256.fromU128(a).mul128(b).sqrt();
  }

  /** The smaller of two values. */
  static min(a: U128, b: U128): U128 {
    return a.lt(b) ? a : b;
  }

  /** `this * num / den`, rounding down, with a 256-bit intermediate (no overflow in the product). */
  mulDiv(num: U128, den: U128): U128 {
    return U256.fromU128(this).mul128(num).div128(den);
  }

  toString(): string {
    if (this.hi == 0) return this.lo.toString();
    let digits = "";
    let v: U128 = this;
    const ten = U128.fromU64(10);
    while (!v.isZero()) {
      digits = v.rem(ten).lo.toString() + digits;
      v = v.div(ten);
    }
    return digits;
  }
}

/** Unsigned 256-bit values, four u64 limbs (least significant first). */
export class U256 {
  constructor(
    public l0: u64 = 0,
    public l1: u64 = 0,
    public l2: u64 = 0,
    public l3: u64 = 0,
  ) {}

  static fromU128(v: U128): U256 {
    return new U256(v.lo, v.hi, 0, 0);
  }

  isZero(): bool {
    return (this.l0 | this.l1 | this.l2 | this.l3) == 0;
  }

  eq(o: U256): bool {
    return this.l0 == o.l0 && this.l1 == o.l1 && this.l2 == o.l2 && this.l3 == o.l3;
  }

  lt(o: U256): bool {
    if (this.l3 != o.l3) return this.l3 < o.l3;
    if (this.l2 != o.l2) return this.l2 < o.l2;
    if (this.l1 != o.l1) return this.l1 < o.l1;
    return this.l0 < o.l0;
  }

  add(o: U256): U256 {
    const r = new U256();
    let carry: u64 = 0;
    let s = this.l0 + o.l0;
    let c1: u64 = s < this.l0 ? 1 : 0;
    r.l0 = s;
    carry = c1;
    s = this.l1 + o.l1;
    c1 = s < this.l1 ? 1 : 0;
    r.l1 = s + carry;
    carry = c1 | (r.l1 < s ? 1 : 0);
    s = this.l2 + o.l2;
    c1 = s < this.l2 ? 1 : 0;
    r.l2 = s + carry;
    carry = c1 | (r.l2 < s ? 1 : 0);
    s = this.l3 + o.l3;
    c1 = s < this.l3 ? 1 : 0;
    r.l3 = s + carry;
    carry = c1 | (r.l3 < s ? 1 : 0);
    if (carry != 0) overflow("u256 addition overflow");
    return r;
  }

  sub(o: U256): U256 {
    if (this.lt(o)) overflow("u256 subtraction underflow");
    const r = new U256();
    let borrow: u64 = 0;
    r.l0 = this.l0 - o.l0;
    borrow = this.l0 < o.l0 ? 1 : 0;
    r.l1 = this.l1 - o.l1 - borrow;
    borrow = this.l1 < o.l1 || (this.l1 == o.l1 && borrow == 1) ? 1 : 0;
    r.l2 = this.l2 - o.l2 - borrow;
    borrow = this.l2 < o.l2 || (this.l2 == o.l2 && borrow == 1) ? 1 : 0;
    r.l3 = this.l3 - o.l3 - borrow;
    return r;
  }

  /** Number of significant bits. */
  bitLength(): i32 {
    if (this.l3 != 0) return 256 - <i32>clz(this.l3);
    if (this.l2 != 0) return 192 - <i32>clz(this.l2);
    if (this.l1 != 0) return 128 - <i32>clz(this.l1);
    return 64 - <i32>clz(this.l0);
  }

  /** floor(sqrt(this)) by Newton's method from above (the result always fits in 128 bits). */
  sqrt(): U128 {
    if (this.isZero()) return U128.Zero;
    const half = (this.bitLength() + 1) >> 1;
    // x0 = 2^half >= sqrt(this); 2^128 does not fit, so start just below it.
    let x =
      half >= 128
        ? U128.max()
        : half >= 64
          ? new U128(0, (<u64>1) << (<u64>(half - 64)))
          : new U128((<u64>1) << (<u64>half), 0);
    let done = false;
    while (!done) {
      const q = this.div128(x);
      // y = (x + q) / 2 computed in 256 bits, so the sum cannot overflow.
      const sum = U256.fromU128(x).add(U256.fromU128(q));
      const y = new U128((sum.l0 >> 1) | (sum.l1 << 63), (sum.l1 >> 1) | (sum.l2 << 63));
      if (y.lt(x)) x = y;
      else done = true;
    }
    return x;
  }

  /** Product of a value below 2^128 and a u128 (never overflows 256 bits). */
  mul128(o: U128): U256 {
    if (this.l2 != 0 || this.l3 != 0) overflow("u256 multiplication overflow");
    const p = new StaticArray<u64>(2);
    const r = new U256();
    // (a1·2^64 + a0)(b1·2^64 + b0)
    mul64(this.l0, o.lo, p);
    r.l0 = unchecked(p[0]);
    let acc1 = unchecked(p[1]);
    let acc2: u64 = 0;
    let acc3: u64 = 0;
    mul64(this.l0, o.hi, p);
    let t = acc1 + unchecked(p[0]);
    acc2 += t < acc1 ? 1 : 0;
    acc1 = t;
    acc2 += unchecked(p[1]);
    mul64(this.l1, o.lo, p);
    t = acc1 + unchecked(p[0]);
    let c: u64 = t < acc1 ? 1 : 0;
    acc1 = t;
    t = acc2 + unchecked(p[1]) + c;
    acc3 += t < acc2 || (t == acc2 && (unchecked(p[1]) | c) != 0) ? 1 : 0;
    acc2 = t;
    mul64(this.l1, o.hi, p);
    t = acc2 + unchecked(p[0]);
    c = t < acc2 ? 1 : 0;
    acc2 = t;
    acc3 += unchecked(p[1]) + c;
    r.l1 = acc1;
    r.l2 = acc2;
    r.l3 = acc3;
    return r;
  }

  /**
   * Division by a u128, rounding down, with a 256-bit quotient: long division in 32-bit
   * digits (Knuth's algorithm D, as in Hacker's Delight's `divmnu`), a few steps per
   * quotient digit instead of one per bit.
   */
  divWide(d: U128): U256 {
    if (d.isZero()) overflow("division by zero");
    const q = new U256();
    const du = divDigits();
    const dv = du + 9 * 8;
    setScratch(du, 0, this.l0 & MASK32);
    setScratch(du, 1, this.l0 >> 32);
    setScratch(du, 2, this.l1 & MASK32);
    setScratch(du, 3, this.l1 >> 32);
    setScratch(du, 4, this.l2 & MASK32);
    setScratch(du, 5, this.l2 >> 32);
    setScratch(du, 6, this.l3 & MASK32);
    setScratch(du, 7, this.l3 >> 32);
    setScratch(du, 8, 0);
    setScratch(dv, 0, d.lo & MASK32);
    setScratch(dv, 1, d.lo >> 32);
    setScratch(dv, 2, d.hi & MASK32);
    setScratch(dv, 3, d.hi >> 32);
    let n = 4;
    while (digit(dv, n - 1) == 0) n--;
    let m = 8;
    while (m > 0 && digit(du, m - 1) == 0) m--;
    if (m < n) return q; // this < d
    if (n == 1) {
      // One-digit divisor: the remainder stays below it, so each step fits in 64 bits.
      const v0 = digit(dv, 0);
      let r: u64 = 0;
      for (let j = m - 1; j >= 0; j--) {
        const cur = (r << 32) | digit(du, j);
        setDigit(q, j, cur / v0);
        r = cur % v0;
      }
      return q;
    }
    // Normalize: shift both so the divisor's top digit has its high bit set.
    const s = <u64>clz(<u32>digit(dv, n - 1));
    if (s != 0) {
      for (let i = n - 1; i > 0; i--)
        setScratch(dv, i, ((digit(dv, i) << s) | (digit(dv, i - 1) >> (32 - s))) & MASK32);
      setScratch(dv, 0, (digit(dv, 0) << s) & MASK32);
      setScratch(du, m, digit(du, m - 1) >> (32 - s));
      for (let i = m - 1; i > 0; i--)
        setScratch(du, i, ((digit(du, i) << s) | (digit(du, i - 1) >> (32 - s))) & MASK32);
      setScratch(du, 0, (digit(du, 0) << s) & MASK32);
    } else setScratch(du, m, 0);
    const vTop = digit(dv, n - 1);
    const vNext = digit(dv, n - 2);
    for (let j = m - n; j >= 0; j--) {
      // Estimate the digit from the top two digits, then correct it (at most twice).
      const num = (digit(du, j + n) << 32) | digit(du, j + n - 1);
      let qhat = num / vTop;
      let rhat = num - qhat * vTop;
      while (qhat > MASK32 || qhat * vNext > ((rhat << 32) | digit(du, j + n - 2))) {
        qhat--;
        rhat += vTop;
        if (rhat > MASK32) break;
      }
      // Multiply and subtract qhat * v from digits j .. j + n of u.
      let borrow: i64 = 0;
      for (let i = 0; i < n; i++) {
        const p = qhat * digit(dv, i);
        const t = <i64>digit(du, i + j) - borrow - <i64>(p & MASK32);
        setScratch(du, i + j, <u64>t & MASK32);
        borrow = <i64>(p >> 32) - (t >> 32);
      }
      const t = <i64>digit(du, j + n) - borrow;
      setScratch(du, j + n, <u64>t & MASK32);
      if (t < 0) {
        // qhat was one too large: add the divisor back.
        qhat--;
        let carry: u64 = 0;
        for (let i = 0; i < n; i++) {
          const sum = digit(du, i + j) + digit(dv, i) + carry;
          setScratch(du, i + j, sum & MASK32);
          carry = sum >> 32;
        }
        setScratch(du, j + n, (digit(du, j + n) + carry) & MASK32);
      }
      setDigit(q, j, qhat);
    }
    return q;
  }

  /** `this * m` modulo 2^256 (for accumulators that are meant to wrap, like Uniswap's). */
  mulWrapping(m: u64): U256 {
    const p = new StaticArray<u64>(2);
    const r = new U256();
    mul64(this.l0, m, p);
    r.l0 = unchecked(p[0]);
    let carry = unchecked(p[1]);
    mul64(this.l1, m, p);
    r.l1 = unchecked(p[0]) + carry;
    carry = unchecked(p[1]) + (r.l1 < carry ? 1 : 0);
    mul64(this.l2, m, p);
    r.l2 = unchecked(p[0]) + carry;
    carry = unchecked(p[1]) + (r.l2 < carry ? 1 : 0);
    r.l3 = this.l3 * m + carry;
    return r;
  }

  /** `this + o` modulo 2^256. */
  addWrapping(o: U256): U256 {
    const r = new U256();
    r.l0 = this.l0 + o.l0;
    let carry: u64 = r.l0 < this.l0 ? 1 : 0;
    const s1 = this.l1 + o.l1;
    r.l1 = s1 + carry;
    carry = (s1 < this.l1 ? 1 : 0) | (r.l1 < s1 ? 1 : 0);
    const s2 = this.l2 + o.l2;
    r.l2 = s2 + carry;
    carry = (s2 < this.l2 ? 1 : 0) | (r.l2 < s2 ? 1 : 0);
    r.l3 = this.l3 + o.l3 + carry;
    return r;
  }

  /** `this << 112` (used for UQ112x112 prices); the value must be below 2^144. */
  shl112(): U256 {
    // 112 = 64 + 48: move one limb up, then shift by 48.
    const a0 = this.l0;
    const a1 = this.l1;
    const a2 = this.l2;
    return new U256(0, a0 << 48, (a1 << 48) | (a0 >> 16), (a2 << 48) | (a1 >> 16));
  }

  /** Division by a u128, rounding down; the quotient must fit in 128 bits. */
  div128(d: U128): U128 {
    const q = this.divWide(d);
    if ((q.l2 | q.l3) != 0) overflow("u256 division result exceeds u128");
    return new U128(q.l0, q.l1);
  }
}
