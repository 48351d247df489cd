/**
 * Deploying from a smart account: a `deploy(code, initArgs, salt)` call on the zero address
 * in the batch creates the contract with the account as deployer; the receipt names it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import { DEPLOY_ARGS, DEPLOY_METHOD, DEPLOY_TARGET } from "../../../src/chain/executeEnvelope.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import { contractAddress } from "../../../src/codec/address.js";
import { keccak256 } from "../../../src/codec/hash.js";
import { encodeCall } from "../../../src/codec/metadata.js";
import { setupAccounts, signed, type User } from "../../helpers/accounts.js";
import { Contract } from "../../helpers/contracts.js";
import { assertSameAsSequential, attachChain, chainEngine } from "../../helpers/parallelChain.js";

describe("deploying from a smart account", () => {
  it("creates the contract at the derived address, and a malformed deploy reverts", async () => {
    const { chain, users } = setupAccounts(1);
    const user = users[0] as User;
    const token = loadArtifact("token");
    const ctor = token.metadata.constructor;
    assert.ok(ctor !== null);
    const initArgs = encodeCall({ ...token.metadata, methods: [ctor] }, "init", [
      "Mine",
      "MINE",
      6,
      1_000n,
      user.address,
    ]);
    const salt = new Uint8Array(32).fill(9);
    const call = {
      target: DEPLOY_TARGET,
      method: DEPLOY_METHOD,
      args: encodeAbi(DEPLOY_ARGS, [token.code, initArgs, salt]),
      value: 0n,
    };
    const tx = signed(chain, user, [call], { gasLimit: 20_000_000n });
    const engine = await chainEngine(2);
    try {
      await assertSameAsSequential(engine, await attachChain(engine, chain), chain.block, [tx]);
    } finally {
      await engine.close();
    }
    const receipt = chain.runOne(tx);
    assert.equal(receipt.status, "success", receipt.invalidReason);
    const expected = contractAddress(user.address, salt, keccak256(token.code), initArgs);
    assert.equal(receipt.contractAddress, expected);
    const mine = new Contract(chain, expected, token.metadata);
    assert.equal(mine.view("balanceOf", [user.address]), 1_000n);
    assert.equal(mine.view("symbol"), "MINE");

    const bad = chain.runOne(
      signed(chain, user, [{ ...call, args: new Uint8Array([1, 2, 3]) }], { gasLimit: 20_000_000n }),
    );
    assert.equal(bad.status, "revert");
    assert.equal(bad.contractAddress, undefined);
    const poor = chain.runOne(signed(chain, user, [call], { gasLimit: 300_000n }));
    assert.notEqual(poor.status, "success", "the code's deployment gas is charged");
  });
});
