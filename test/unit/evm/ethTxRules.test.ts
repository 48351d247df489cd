/**
 * Hostile Ethereum transactions: every way to be wrong is a typed error at decoding
 * (`EthTxError`) or an `invalid` receipt with its code at execution, and nothing of such
 * a transaction is written (no fee, no nonce). Execution failures (out of gas) keep only
 * the fee and the nonce. Each block is also run on the parallel engine and compared.
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { evmBaseFee } from "../../../src/chain/evmBlock.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import { keccak256 } from "../../../src/codec/hash.js";
import { EthTxError, type EthTxErrorCode } from "../../../src/evm/errors.js";
import { decodeEthTx, MAX_ETH_TX_BYTES } from "../../../src/evm/ethTx.js";
import { MAX_INITCODE_SIZE } from "../../../src/evm/intrinsicGas.js";
import { codeHashKey, evmCodeHashKey } from "../../../src/state/keys.js";
import { createMemoryStore } from "../../../src/state/memoryStore.js";
import type { Storage } from "../../../src/state/storage.js";
import { TOKEN_INIT_CODE } from "../../fixtures/evm/token.js";
import { blockContext, fundedState } from "../../helpers/chain.js";
import { ethAccount, signEthTx, signEthTxRaw } from "../../helpers/ethAccounts.js";
import { assertSameAsSequential, type ChainEngine, chainEngine } from "../../helpers/parallelChain.js";

const block = blockContext({ baseFee: 5n });
// The base fee per EVM gas (`chain/evmBlock.ts`): the lowest max fee these transactions may offer.
const FEE = evmBaseFee(5n);
const CHAIN = block.chainId;
const alice = ethAccount(1);
const bob = ethAccount(2);

function decodeError(raw: Uint8Array, chainId = CHAIN): EthTxErrorCode {
  try {
    decodeEthTx(raw, chainId);
  } catch (error) {
    assert.ok(error instanceof EthTxError, `typed error, got ${String(error)}`);
    assert.ok(error.message.length > 0);
    return error.code;
  }
  assert.fail("decoded");
}

describe("Ethereum transactions: decoding refuses with a code", () => {
  const good = signEthTxRaw(alice, { nonce: 0n, to: bob.address, value: 1n, maxFee: FEE }, CHAIN);

  it("accepts legacy (EIP-155), EIP-2930 and EIP-1559, recovering the sender", () => {
    for (const type of [0, 1, 2] as const) {
      const tx = decodeEthTx(
        signEthTxRaw(alice, { type, nonce: 3n, to: bob.address, maxFee: FEE }, CHAIN),
        CHAIN,
      );
      assert.equal(tx.from, alice.address);
      assert.equal(tx.fields.type, type);
      assert.equal(tx.fields.nonce, 3n);
    }
  });

  it("malformed RLP, truncation, trailing bytes, unknown types, oversize", () => {
    assert.equal(decodeError(new Uint8Array(0)), "MALFORMED_RLP");
    assert.equal(decodeError(Uint8Array.from([0xf8, 0xff, 1, 2])), "MALFORMED_RLP");
    assert.equal(decodeError(good.subarray(0, good.length - 3)), "MALFORMED_RLP");
    const trailing = new Uint8Array(good.length + 1);
    trailing.set(good);
    assert.equal(decodeError(trailing), "MALFORMED_RLP");
    assert.equal(decodeError(Uint8Array.from([0x03, 0xc0])), "UNSUPPORTED_TYPE");
    assert.equal(decodeError(Uint8Array.from([0x04, 0xc0])), "UNSUPPORTED_TYPE");
    assert.equal(decodeError(Uint8Array.from([0x02, 0xc0])), "MALFORMED_RLP");
    assert.equal(decodeError(new Uint8Array(MAX_ETH_TX_BYTES + 1)), "TOO_LARGE");
  });

  it("a wrong chain id, and a legacy transaction without replay protection", () => {
    assert.equal(decodeError(good, CHAIN + 1n), "CHAIN_ID");
    const legacy = signEthTxRaw(alice, { type: 0, nonce: 0n, to: bob.address, maxFee: FEE }, CHAIN);
    assert.equal(decodeError(legacy, 1n), "CHAIN_ID");
    // v = 27: the legacy fields with a pre-EIP-155 v.
    assert.equal(decodeError(withV(legacy, 27)), "CHAIN_ID");
  });

  it("a bad signature: s above n/2; r padded with zeros; a flipped byte recovers someone else", () => {
    const high = Buffer.from(good);
    // s is the last 32 bytes of a type-2 transaction: set it to n - 1 (above n/2, EIP-2).
    Buffer.from("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140", "hex").copy(
      high,
      high.length - 32,
    );
    assert.equal(decodeError(high), "BAD_SIGNATURE");
    const zeroR = Buffer.from(good);
    zeroR.fill(0, zeroR.length - 65, zeroR.length - 33);
    assert.equal(decodeError(zeroR), "BAD_FIELD", "a zero r with leading zero bytes is not canonical RLP");
    const flipped = Buffer.from(good);
    flipped[flipped.length - 5] = (flipped[flipped.length - 5] as number) ^ 1;
    assert.notEqual(decodeEthTx(flipped, CHAIN).from, alice.address);
  });

  it("a max priority fee above the max fee", () => {
    const raw = signEthTxRaw(alice, { nonce: 0n, to: bob.address, maxFee: FEE }, CHAIN);
    // Re-signing cannot make one (the library refuses): the check is the decoder's.
    assert.throws(() =>
      signEthTxRaw(alice, { nonce: 0n, to: bob.address, maxFee: FEE, priorityFee: FEE + 1n }, CHAIN),
    );
    assert.equal(decodeEthTx(raw, CHAIN).fields.maxPriorityFeePerGas, FEE);
  });
});

/** A legacy transaction's RLP with its v replaced by a one-byte `v` (r and s kept). */
function withV(legacy: Uint8Array, v: number): Uint8Array {
  // Payload layout ends with v, then 0xa0 ‖ r (32), then 0xa0 ‖ s (32). v for chain 1337 is 2 bytes (0x82 ‖ 2 bytes).
  const tail = legacy.subarray(legacy.length - 66);
  const vEnd = legacy.length - 66;
  const vStart = vEnd - 3;
  const body = Buffer.concat([Buffer.from(legacy.subarray(0, vStart)), Buffer.from([v]), Buffer.from(tail)]);
  // Fix the list header (0xf8 ‖ len: one byte shorter).
  const payload = body.subarray(2);
  return Uint8Array.from(Buffer.concat([Buffer.from([0xf8, payload.length]), payload]));
}

describe("Ethereum transactions: execution refuses with a code and writes nothing", () => {
  let engine: ChainEngine;
  let store: Storage;
  before(async () => {
    engine = await chainEngine(2);
    const state = fundedState([
      [alice.address, 10n ** 18n],
      [bob.address, 10n ** 18n],
    ]);
    // A sender with code (EIP-3607): bob has EVM code.
    state.entries.set(evmCodeHashKey(bob.address), keccak256(Uint8Array.from([0])));
    store = await engine.attach(createMemoryStore(state.entries));
  });
  after(() => engine.close());

  it("each check sets its code; the invalid ones leave no write", async () => {
    const carol = ethAccount(3);
    const cases: Array<[string, Transaction]> = [
      ["NONCE", signEthTx(alice, { nonce: 1n, to: carol.address, maxFee: FEE }, CHAIN)],
      [
        "GAS_LIMIT_LOW",
        signEthTx(alice, { nonce: 0n, to: carol.address, gasLimit: 20_999n, maxFee: FEE }, CHAIN),
      ],
      [
        "GAS_LIMIT_LOW",
        signEthTx(alice, { nonce: 0n, data: TOKEN_INIT_CODE, gasLimit: 53_000n, maxFee: FEE }, CHAIN),
      ],
      [
        "GAS_LIMIT_HIGH",
        signEthTx(alice, { nonce: 0n, to: carol.address, gasLimit: 1n << 25n, maxFee: FEE }, CHAIN),
      ],
      ["MAX_FEE_BELOW_BASE_FEE", signEthTx(alice, { nonce: 0n, to: carol.address, maxFee: FEE - 1n }, CHAIN)],
      [
        "INSUFFICIENT_FUNDS",
        signEthTx(alice, { nonce: 0n, to: carol.address, value: 10n ** 18n, maxFee: FEE }, CHAIN),
      ],
      [
        "INITCODE_TOO_LARGE",
        signEthTx(
          alice,
          { nonce: 0n, data: new Uint8Array(MAX_INITCODE_SIZE + 1), gasLimit: 3_000_000n, maxFee: FEE },
          CHAIN,
        ),
      ],
      ["SENDER_HAS_CODE", signEthTx(bob, { nonce: 0n, to: carol.address, maxFee: FEE }, CHAIN)],
      // Decoding for this chain refuses it; execution checks again (a block from elsewhere).
      ["CHAIN_ID", decodeEthTx(signEthTxRaw(alice, { nonce: 0n, to: carol.address, maxFee: FEE }, 1n), 1n)],
    ];
    const result = await assertSameAsSequential(
      engine,
      store,
      block,
      cases.map(([, tx]) => tx),
    );
    result.receipts.forEach((r, i) => {
      const [code] = cases[i] as [string, Transaction];
      assert.equal(r.status, "invalid", `${code}: ${r.invalidReason}`);
      assert.equal(r.invalidCode, code, `${code}: ${r.invalidReason}`);
      assert.equal(r.fee, 0n);
    });
    assert.equal(result.writeSet.size, 0, "nothing written");
  });

  it("an out-of-gas deployment keeps the fee and the nonce, and no code", async () => {
    const deploy = signEthTx(
      alice,
      { nonce: 0n, data: TOKEN_INIT_CODE, gasLimit: 80_000n, maxFee: FEE },
      CHAIN,
    );
    const result = await assertSameAsSequential(engine, store, block, [deploy]);
    const r = result.receipts[0];
    assert.equal(r?.status, "outOfGas");
    assert.equal(r?.gasUsed, 80_000);
    assert.equal(r?.fee, 80_000n * FEE);
    assert.equal(r?.contractAddress, undefined);
    const keys = [...result.writeSet.keys()];
    assert.ok(
      !keys.some((k) => k.startsWith("06") || k.startsWith("07") || k.startsWith("08")),
      "no code, no storage",
    );
    assert.ok(!keys.includes(codeHashKey(alice.address)));
    assert.ok(keys.includes(`05${alice.address.slice(2)}0000000000000000`), "the nonce moved");
  });
});
