/**
 * The `validate` step's input written directly (`encodeValidateInput`) is byte for byte
 * `encodeAbi(VALIDATE_ARGS, …)`, on the direct path and off it, and refuses what
 * `encodeAbi` refuses with the same error; copied from a transaction's encoding
 * (`validateInputOfEncoding`) it is the same bytes again.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Call, decodeTx, encodeTx, type TxEnvelope } from "../../../src/chain/tx/envelope.js";
import {
  encodeValidateInput,
  VALIDATE_ARGS,
  validateInputOfEncoding,
} from "../../../src/chain/validateInput.js";
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

describe("validateInputOfEncoding", () => {
  it("gives encodeValidateInput's bytes for random transactions, copied from their encoding", () => {
    const r = rng(29);
    const methods = [
      "transfer",
      "",
      "swapExactTokensForTokens",
      "ünïcode",
      "a\u0000b",
      "\ufeffbom",
      "x".repeat(64),
    ];
    for (let n = 0; n < 300; n++) {
      const big = (bits: number) => BigInt(`0x${hexOf(r, bits / 8) || "0"}`);
      const env: TxEnvelope = {
        chainId: big(64),
        sender: `0x${hexOf(r, 20)}` as Address,
        nonceKey: big(64),
        nonceSequence: big(64),
        gasLimit: big(64),
        maxFee: big(128),
        priorityFee: big(128),
        calls: Array.from({ length: 1 + r(5) }, () => ({
          target: `0x${hexOf(r, 20)}` as Address,
          method: methods[r(methods.length)] as string,
          args: Uint8Array.from({ length: r(4) === 0 ? 0 : r(300) }, () => r(256)),
          value: r(2) === 0 ? 0n : big(128),
        })),
        auth: Uint8Array.from({ length: r(3) === 0 ? 0 : r(200) }, () => r(256)),
      };
      if (r(3) === 0)
        env.paymaster = {
          address: `0x${hexOf(r, 20)}` as Address,
          data: Uint8Array.from({ length: r(50) }, () => r(256)),
        };
      const raw = encodeTx(env);
      const decoded = decodeTx(raw);
      const hash = Uint8Array.from({ length: 32 }, () => r(256));
      const maxFee = r(4) === 0 ? 0n : big(r(2) === 0 ? 64 : 128);
      assert.deepEqual(
        validateInputOfEncoding(hash, raw, decoded.auth, maxFee),
        encodeValidateInput(hash, decoded.auth, maxFee, decoded.calls),
      );
    }
  });

  it("answers undefined, never throws, for bytes without the layout or a fee out of range", () => {
    const env: TxEnvelope = {
      chainId: 1n,
      sender: `0x${"11".repeat(20)}` as Address,
      nonceKey: 0n,
      nonceSequence: 0n,
      gasLimit: 100_000n,
      maxFee: 1n,
      priorityFee: 0n,
      calls: [
        { target: `0x${"22".repeat(20)}` as Address, method: "m", args: new Uint8Array(40), value: 5n },
      ],
      auth: new Uint8Array(64),
    };
    const raw = encodeTx(env);
    const hash = new Uint8Array(32);
    assert.ok(validateInputOfEncoding(hash, raw, env.auth, 0n) !== undefined);
    assert.equal(validateInputOfEncoding(hash, raw, env.auth, 1n << 128n), undefined);
    assert.equal(validateInputOfEncoding(hash, raw, env.auth, -1n), undefined);
    assert.equal(validateInputOfEncoding(new Uint8Array(31), raw, env.auth, 0n), undefined);
    // Truncated anywhere, or an authorisation longer than the bytes: no layout.
    for (let cut = 0; cut < raw.length - 64; cut += 7)
      assert.equal(
        validateInputOfEncoding(hash, raw.subarray(0, cut), env.auth, 0n),
        undefined,
        `cut ${cut}`,
      );
    assert.equal(validateInputOfEncoding(hash, raw, new Uint8Array(raw.length), 0n), undefined);
    // An args length pointing past the end.
    const lying = raw.slice();
    new DataView(lying.buffer).setUint32(86 + 1 + 20 + 1 + 1, 0xffffffff, true);
    assert.equal(validateInputOfEncoding(hash, lying, env.auth, 0n), undefined);
  });
});
