/**
 * The ECRECOVER precompile (0x01) recovers by libsecp256k1 (`evm/evmRunner.ts`
 * `precompileRecover`): for valid signatures (both recovery ids, high s) and invalid ones
 * (v not 27/28, r or s zero or at least n, a point off the curve), what EVM code gets back
 * equals what ethereumjs's own @noble recovery answers: the signer's address as a word, or
 * nothing.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, it } from "node:test";
import { assembleText } from "../../../bench/evm/asm.js";
import { evmBlockOf } from "../../../src/chain/evmBlock.js";
import type { Address } from "../../../src/codec/address.js";
import { keccak256 } from "../../../src/codec/hash.js";
import { EvmRunner } from "../../../src/evm/evmRunner.js";
import { evmCodeHashKey, evmCodeKey, type StateKey, type StateValue } from "../../../src/state/keys.js";

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const lib = createRequire(import.meta.url)("secp256k1") as {
  ecdsaSign(hash: Uint8Array, key: Uint8Array): { signature: Uint8Array; recid: number };
};

/** Calls 0x01 with its call data and returns what it answered. */
const FORWARD = assembleText(
  "CALLDATASIZE PUSH0 PUSH0 CALLDATACOPY PUSH1 32 PUSH0 CALLDATASIZE PUSH0 PUSH1 1 GAS STATICCALL POP RETURNDATASIZE PUSH0 PUSH0 RETURNDATACOPY RETURNDATASIZE PUSH0 RETURN",
);
const AT = "0x000000000000000000000000000000000000ec01" as Address;
const FROM = "0x00000000000000000000000000000000000000bb" as Address;

const word = (n: bigint) => Buffer.from(n.toString(16).padStart(64, "0"), "hex");
const input = (hash: Uint8Array, v: bigint, r: bigint, s: bigint) =>
  Uint8Array.from(Buffer.concat([hash, word(v), word(r), word(s)]));

describe("ECRECOVER (0x01) by libsecp256k1", () => {
  const runner = new EvmRunner();
  const util = runner.realm.packages.util;
  const state = new Map<StateKey, StateValue>([
    [evmCodeHashKey(AT), keccak256(FORWARD)],
    [evmCodeKey(keccak256(FORWARD)), FORWARD],
  ]);
  const block = evmBlockOf({ height: 1n, time: 1n, chainId: 1n, feeRecipient: FROM });
  const call = (data: Uint8Array): string => {
    const fields = {
      type: 2 as const,
      chainId: 1n,
      nonce: 0n,
      gasLimit: 1_000_000n,
      to: AT,
      value: 0n,
      data,
      accessList: [],
      maxFeePerGas: 0n,
      maxPriorityFeePerGas: 0n,
    };
    const { result } = runner.runMessage(
      { read: (key) => state.get(key) },
      block,
      { from: FROM, fields, gas: 1_000_000n, gasPrice: 0n, prepay: 0n },
      () => 0n,
    );
    assert.equal(result.execResult.exceptionError, undefined);
    return Buffer.from(result.execResult.returnValue).toString("hex");
  };
  /** What ethereumjs's @noble recovery answers for the same input. */
  const noble = (hash: Uint8Array, v: bigint, r: bigint, s: bigint): string => {
    if (v !== 27n && v !== 28n) return "";
    try {
      const key = util.ecrecover(hash, v, word(r), word(s));
      return Buffer.from(util.setLengthLeft(util.publicToAddress(key), 32)).toString("hex");
    } catch {
      return "";
    }
  };

  it("answers what @noble answers, valid and invalid signatures alike", () => {
    const cases: Array<[Uint8Array, bigint, bigint, bigint]> = [];
    for (let i = 1; i <= 16; i++) {
      const key = keccak256(Uint8Array.of(i));
      const hash = keccak256(Uint8Array.of(i, 1));
      const { signature, recid } = lib.ecdsaSign(hash, key);
      const r = BigInt(`0x${Buffer.from(signature.subarray(0, 32)).toString("hex")}`);
      const s = BigInt(`0x${Buffer.from(signature.subarray(32)).toString("hex")}`);
      const v = 27n + BigInt(recid);
      cases.push([hash, v, r, s]);
      cases.push([hash, v === 27n ? 28n : 27n, r, s]); // the other key
      cases.push([hash, v === 27n ? 28n : 27n, r, N - s]); // high s: the same signer
    }
    const [hash, v, r, s] = cases[0] as [Uint8Array, bigint, bigint, bigint];
    cases.push([hash, 29n, r, s], [hash, 1n, r, s], [hash, v, 0n, s], [hash, v, r, 0n]);
    cases.push([hash, v, N, s], [hash, v, r, N], [hash, v, N + 1n, s], [hash, v, 2n ** 256n - 1n, s]);
    cases.push([hash, v, 5n, s]); // r not the x of a point on the curve
    let valid = 0;
    for (const [h, cv, cr, cs] of cases) {
      const expected = noble(h, cv, cr, cs);
      if (expected !== "") valid++;
      assert.equal(call(input(h, cv, cr, cs)), expected, `v ${cv} r ${cr} s ${cs}`);
    }
    assert.ok(valid >= 48, `${valid} valid signatures recovered`);
  });
});
