/**
 * The contract SDK's u128 division (`U128.div`) and `mulDiv` (a 256-bit product divided
 * by a u128, `U256.divWide`) against BigInt, through the probe contract: values of every
 * bit length, both below and above 2^64 and 2^128, divisors of every size, the edges
 * (equal, one apart, the maximum), and the reverts (division by zero, a quotient past
 * u128), and the long division's add-back step. `U128.div` starts at the quotient's top
 * bit instead of bit 127 and `divWide` divides by 32-bit digits instead of bits: the
 * results must be exactly the bit-by-bit long division's.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { account } from "../../helpers/chain.js";
import { TestChain } from "../../helpers/contracts.js";

const alice = account(1);
const MAX = (1n << 128n) - 1n;

/** A deterministic generator of u128 values with a bit length spread over 0..128. */
function values(seed: number, count: number): bigint[] {
  let s = BigInt(seed);
  const next = () => {
    s = (s * 6364136223846793005n + 1442695040888963407n) & ((1n << 64n) - 1n);
    return s;
  };
  const out: bigint[] = [];
  for (let i = 0; i < count; i++) {
    const bits = BigInt(Number(next() % 129n));
    const v = ((next() << 64n) | next()) & ((1n << bits) - 1n);
    out.push(v | (bits > 0n ? 1n << (bits - 1n) : 0n)); // exactly `bits` bits
  }
  return out;
}

const EDGES = [0n, 1n, 2n, 3n, (1n << 64n) - 1n, 1n << 64n, (1n << 64n) + 1n, 1n << 127n, MAX - 1n, MAX];

describe("u128 division in the contract SDK", () => {
  it("div matches BigInt for every size of dividend and divisor", () => {
    const chain = new TestChain(2);
    const probe = chain.deploy("probe");
    const xs = [...EDGES, ...values(1, 60)];
    const ds = [...EDGES.filter((d) => d > 0n), ...values(2, 20).filter((d) => d > 0n)];
    for (let i = 0; i < xs.length; i++) {
      for (const d of [ds[i % ds.length] as bigint, ds[(i * 7 + 3) % ds.length] as bigint]) {
        const x = xs[i] as bigint;
        assert.equal(probe.view("div", [x, d]), x / d, `${x} / ${d}`);
      }
    }
    assert.equal(probe.send(alice, "div", [5n, 0n]).error?.name, "Overflow");
  });

  it("mulDiv matches BigInt for 256-bit products, and reverts past u128", () => {
    const chain = new TestChain(2);
    const probe = chain.deploy("probe");
    const as = [...EDGES, ...values(3, 120)];
    const bs = [...EDGES, ...values(4, 120)];
    const cs = [...EDGES.filter((c) => c > 0n), ...values(5, 120).filter((c) => c > 0n)];
    let checked = 0;
    let overflowed = 0;
    for (let i = 0; i < as.length; i++) {
      for (let k = 0; k < 3; k++) {
        const a = as[i] as bigint;
        const b = bs[(i + k * 11) % bs.length] as bigint;
        const c = cs[(i * 5 + k) % cs.length] as bigint;
        const want = (a * b) / c;
        if (want > MAX) {
          assert.equal(probe.send(alice, "mulDiv", [a, b, c]).error?.name, "Overflow", `${a}*${b}/${c}`);
          overflowed++;
        } else {
          assert.equal(probe.view("mulDiv", [a, b, c]), want, `${a}*${b}/${c}`);
          checked++;
        }
      }
    }
    assert.ok(checked > 50 && overflowed > 5, `${checked} checked, ${overflowed} overflowed`);
    // Dividends and divisors whose first estimated digit is one too large, so the long
    // division must add the divisor back (Hacker's Delight's test cases for divmnu).
    for (const [a, c] of [
      [39614081257132168796771975171n, 9903520314283042199192993793n],
      [604462909807314587353091n, 151115727451828646838273n],
      [2596069201709362459734969208012800n, 604462909807314587353089n],
      [2596148429267413814546714551386112n, 604462909807314587418623n],
      [170141183420855150474555134919112130560n, 39614081257132168796771975169n],
    ] as const) {
      for (const b of [1n, 1n << 64n, (1n << 96n) + 12345n]) {
        const want = (a * b) / c;
        if (want <= MAX) assert.equal(probe.view("mulDiv", [a, b, c]), want, `${a}*${b}/${c}`);
      }
    }
    assert.equal(probe.send(alice, "mulDiv", [MAX, MAX, MAX]).value, MAX);
    assert.equal(probe.send(alice, "mulDiv", [MAX, MAX, 0n]).error?.name, "Overflow");
  });
});
