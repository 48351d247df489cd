/**
 * Sender recovery: the native libsecp256k1 path and @noble/curves agree with each other
 * and with `@ethereumjs/tx`'s own recovery, for every transaction type, and a signature
 * no key recovers from is refused.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createCustomCommon, Mainnet } from "@ethereumjs/common";
import { createTxFromRLP } from "@ethereumjs/tx";
import { addressFromBytes } from "../../../src/codec/address.js";
import { decodeEthTx } from "../../../src/evm/ethTx.js";
import { recoverSender, recoverWithNoble, recoveryBackend } from "../../../src/evm/recoverSender.js";
import { ethAccount, signEthTxRaw } from "../../helpers/ethAccounts.js";

const CHAIN = 1337n;

describe("Ethereum sender recovery", () => {
  it(`the native and the noble paths agree with @ethereumjs/tx (backend: ${recoveryBackend()})`, () => {
    const common = createCustomCommon({ chainId: Number(CHAIN) }, Mainnet, { hardfork: "prague" });
    for (let i = 0; i < 24; i++) {
      const who = ethAccount(100 + i);
      const raw = signEthTxRaw(
        who,
        { type: (i % 3) as 0 | 1 | 2, nonce: BigInt(i), to: ethAccount(1).address, value: BigInt(i) },
        CHAIN,
      );
      const tx = createTxFromRLP(raw, { common });
      const expected = addressFromBytes(tx.getSenderAddress().bytes);
      assert.equal(expected, who.address);
      assert.equal(decodeEthTx(raw, CHAIN).from, who.address);
      const hash = tx.getHashedMessageToSign();
      const recovery = Number(i % 3 === 0 ? (tx.v as bigint) - 35n - 2n * CHAIN : (tx.v as bigint));
      assert.equal(recoverSender(hash, recovery, tx.r as bigint, tx.s as bigint), who.address);
      assert.equal(recoverWithNoble(hash, recovery, tx.r as bigint, tx.s as bigint), who.address);
    }
  });

  it("an r that is no curve point's x recovers no key: refused by both paths", () => {
    const hash = new Uint8Array(32).fill(7);
    // x = 5 is not on secp256k1 (5^3 + 7 = 132 is not a square mod p); both must refuse.
    assert.throws(() => recoverSender(hash, 0, 5n, 1n));
    assert.throws(() => recoverWithNoble(hash, 0, 5n, 1n));
  });
});
