/**
 * Account validation in restricted mode (`Vm.validate`): an ed25519 account accepts its
 * key's signature of a transaction's signing hash and nothing else; a validation step
 * that reads block values, emits, reads balances, moves coin or calls out is refused.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import { signingHash, type TxEnvelope } from "../../../src/chain/tx/envelope.js";
import { decodeRevert, encodeCall } from "../../../src/codec/metadata.js";
import { ed25519Signer } from "../../../src/sdk/signers.js";
import { createVm, TxState } from "../../../src/vm/index.js";
import { account } from "../../helpers/chain.js";
import { TestChain } from "../../helpers/contracts.js";

const accountMeta = loadArtifact("ed25519Account").metadata;
const probeMeta = loadArtifact("probe").metadata;

function envelope(sender: `0x${string}`): TxEnvelope {
  return {
    chainId: 1337n,
    sender,
    nonceKey: 0n,
    nonceSequence: 0n,
    gasLimit: 500_000n,
    maxFee: 1n,
    priorityFee: 0n,
    calls: [{ target: account(9), method: "ping", args: new Uint8Array(0), value: 0n }],
    auth: new Uint8Array(0),
  };
}

describe("account validation (restricted mode)", () => {
  it("an ed25519 account accepts its key's signature of the signing hash, and only that", () => {
    const chain = new TestChain(3);
    const key = ed25519Signer();
    const acct = chain.deploy("ed25519Account", [key.publicKey]);
    const vm = createVm();
    const tx = envelope(acct.address);
    const hash = signingHash(tx);
    const validate = (auth: Uint8Array, h = hash) =>
      vm.validate(new TxState({ read: (k) => chain.state.get(k) }), chain.block, {
        account: acct.address,
        input: encodeCall(accountMeta, "validate", [h, auth, 0n, [], [], [], []]),
        gasLimit: 1_000_000,
      });
    const ok = validate(key.sign(hash));
    assert.equal(ok.status, "success");
    const refused = new Uint8Array(8);
    assert.deepEqual(ok.data, new Uint8Array(8).fill(0xff), "valid until the end of time");
    assert.deepEqual(validate(ed25519Signer().sign(hash)).data, refused, "another key");
    assert.deepEqual(validate(key.sign(hash), new Uint8Array(32)).data, refused, "another transaction");
    assert.deepEqual(validate(new Uint8Array(10)).data, refused, "malformed");
    assert.ok(ok.gasUsed > 100_000, "the signature check is paid for");
    assert.throws(() => chain.deploy("ed25519Account", [new Uint8Array(31)]), /BadPublicKey/);
  });

  it("refuses what a validation step may not touch, and allows the account's own state", () => {
    const chain = new TestChain(3);
    const probe = chain.deploy("probe");
    const vm = createVm();
    const run = (method: string, args: unknown[]) =>
      vm.validate(new TxState({ read: (k) => chain.state.get(k) }), chain.block, {
        account: probe.address,
        method,
        input: encodeCall(probeMeta, method, args),
        gasLimit: 5_000_000,
      });
    for (const [method, args, what] of [
      ["height", [], "block_height"],
      ["time", [], "block_time"],
      ["gas", [], "gas_left"],
      ["note", ["k", 1, "v", 1n], "emit"],
      ["coinBalance", [account(1)], "balance"],
      ["pay", [account(1), 1n], "transfer"],
      ["forward", [account(2), "get", new Uint8Array(0)], "call"],
    ] as Array<[string, unknown[], string]>) {
      const out = run(method, args);
      assert.equal(out.status, "revert", method);
      assert.deepEqual(
        decodeRevert(probeMeta, out.data),
        { name: "ForbiddenInValidation", args: { what } },
        method,
      );
    }
    assert.equal(run("set", ["nonce", "1"]).status, "success", "own storage is allowed");
    assert.equal(run("chain", []).status, "success", "the chain id is constant");
    assert.equal(run("whoCalled", []).status, "success");
    // The same methods run normally outside validation.
    assert.equal(probe.send(account(1), "height").receipt.status, "success");
  });
});
