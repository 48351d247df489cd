/**
 * The `validate` step's input written directly (`encodeValidateInput`) is byte for byte
 * `encodeAbi(VALIDATE_ARGS, …)`, on the direct path and off it, and refuses what
 * `encodeAbi` refuses with the same error.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Call } from "../../../src/chain/tx/envelope.js";
import { encodeValidateInput, VALIDATE_ARGS } from "../../../src/chain/validateInput.js";
import { AbiError, encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";

/** A small deterministic generator (xorshift32). */
function rng(seed: number): (n: number) => number {
  let x = seed;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

const hexOf = (r: (n: number) => number, bytes: number) =>
  Array.from({ length: bytes }, () => r(256).toString(16).padStart(2, "0")).join("");

function generic(hash: Uint8Array, auth: Uint8Array, maxFee: bigint, calls: Call[]): Uint8Array {
  return encodeAbi(VALIDATE_ARGS, [
    hash,
    auth,
    maxFee,
    calls.map((c) => c.target),
    calls.map((c) => c.method),
    calls.map((c) => c.args),
    calls.map((c) => c.value),
  ]);
}

describe("encodeValidateInput", () => {
  it("gives encodeAbi's bytes for random inputs", () => {
    const r = rng(13);
    const methods = ["transfer", "", "swapExactTokensForTokens", "ünïcode", "a\u0000b", "x".repeat(64)];
    for (let n = 0; n < 300; n++) {
      const hash = Uint8Array.from({ length: 32 }, () => r(256));
      const auth = Uint8Array.from({ length: r(3) === 0 ? 0 : r(200) }, () => r(256));
      const big = (bits: number) => BigInt(`0x${hexOf(r, bits / 8) || "0"}`);
      const maxFee = r(4) === 0 ? 0n : big(r(2) === 0 ? 64 : 128);
      const calls: Call[] = Array.from({ length: 1 + r(4) }, () => {
        const body = hexOf(r, 20);
        return {
          // Mostly lowercase (the direct path), sometimes upper case (encodeAbi's path).
          target: (r(5) === 0 ? `0x${body.toUpperCase()}` : `0x${body}`) as Address,
          method: methods[r(methods.length)] as string,
          args: Uint8Array.from({ length: r(100) }, () => r(256)),
          value: r(2) === 0 ? 0n : big(128),
        };
      });
      assert.deepEqual(encodeValidateInput(hash, auth, maxFee, calls), generic(hash, auth, maxFee, calls));
    }
  });

  it("refuses what encodeAbi refuses, with its error", () => {
    const hash = new Uint8Array(32);
    const call: Call = {
      target: `0x${"ab".repeat(20)}` as Address,
      method: "m",
      args: new Uint8Array(0),
      value: 0n,
    };
    const cases: Array<[Uint8Array, bigint, Call[]]> = [
      [hash, 1n << 128n, [call]],
      [hash, -1n, [call]],
      [new Uint8Array(31), 0n, [call]],
      [hash, 0n, [{ ...call, value: 1n << 128n }]],
      [hash, 0n, [{ ...call, target: "0x1234" as Address }]],
      [hash, 0n, [{ ...call, method: "\ud800" }]],
    ];
    for (const [h, fee, calls] of cases) {
      assert.throws(() => generic(h, new Uint8Array(0), fee, calls), AbiError);
      assert.throws(() => encodeValidateInput(h, new Uint8Array(0), fee, calls), AbiError);
    }
  });
});
