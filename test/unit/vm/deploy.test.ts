/** Deployment as an operation: deterministic addresses, constructor args, collisions, value. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import { intrinsicGas } from "../../../src/chain/executeTransaction.js";
import { contractAddress } from "../../../src/codec/address.js";
import { keccak256 } from "../../../src/codec/hash.js";
import { decodeRevert, encodeCall } from "../../../src/codec/metadata.js";
import { codeHashKey, codeKey } from "../../../src/state/keys.js";
import { account } from "../../helpers/chain.js";
import { TestChain } from "../../helpers/contracts.js";

const token = loadArtifact("token");
const initArgs = (meta = token.metadata) =>
  encodeCall({ ...meta, methods: meta.constructor ? [meta.constructor] : [] }, "init", [
    "T",
    "T",
    0,
    5n,
    account(1),
  ]);

describe("deployment", () => {
  it("derives the address from deployer, salt, code hash and constructor args", () => {
    const chain = new TestChain();
    const salt = new Uint8Array(32).fill(3);
    const tx = chain.deployTx(token, ["T", "T", 0, 5n, account(1)], account(2), salt);
    const receipt = chain.runOne(tx);
    assert.equal(receipt.status, "success");
    const expected = contractAddress(account(2), salt, keccak256(token.code), initArgs());
    assert.equal(receipt.contractAddress, expected);
    assert.deepEqual(chain.state.get(codeHashKey(expected)), keccak256(token.code));
    assert.deepEqual(chain.state.get(codeKey(keccak256(token.code))), token.code);
  });

  it("refuses a second deployment at the same address with AddressInUse, and stores code once", () => {
    const chain = new TestChain();
    const first = chain.runOne(chain.deployTx(token, ["T", "T", 0, 5n, account(1)], account(2)));
    const again = chain.runOne(chain.deployTx(token, ["T", "T", 0, 5n, account(1)], account(2)));
    assert.equal(again.status, "revert");
    assert.deepEqual(decodeRevert(token.metadata, again.output), {
      name: "AddressInUse",
      args: { address: first.contractAddress },
    });
    const other = chain.runOne(chain.deployTx(token, ["U", "U", 0, 5n, account(1)], account(2)));
    assert.equal(other.status, "success");
    assert.notEqual(other.contractAddress, first.contractAddress);
    const codeKeys = [...chain.state.entries.keys()].filter((k) => k.startsWith("04"));
    assert.equal(codeKeys.length, 1, "identical code is stored once");
  });

  it("a failing constructor leaves no contract and no code behind", () => {
    const chain = new TestChain();
    const before = new Set([...chain.state.entries.keys()].filter((k) => !k.startsWith("01")));
    const receipt = chain.runOne(
      chain.deployTx(token, ["T", "T", 0, 5n, `0x${"00".repeat(20)}`], account(2)),
    );
    assert.equal(receipt.status, "revert");
    assert.equal(decodeRevert(token.metadata, receipt.output).name, "ZeroAddress");
    assert.equal(receipt.contractAddress, undefined);
    const after = new Set([...chain.state.entries.keys()].filter((k) => !k.startsWith("01")));
    assert.deepEqual(after, before);
  });

  it("constructor arguments that do not decode revert with InvalidArguments", () => {
    const chain = new TestChain();
    const tx = chain.deployTx(token, ["T", "T", 0, 5n, account(1)], account(2));
    if (tx.kind !== "deploy") throw new Error("unreachable");
    const receipt = chain.runOne({ ...tx, args: tx.args.subarray(0, 5) });
    assert.equal(decodeRevert(token.metadata, receipt.output).name, "InvalidArguments");
  });

  it("runs out of gas deterministically in a constructor and charges the gas", () => {
    const chain = new TestChain();
    const tx = chain.deployTx(token, ["T", "T", 0, 5n, account(1)], account(2));
    const gasLimit = intrinsicGas(tx) + 3_000;
    const receipt = chain.runOne({ ...tx, gasLimit });
    assert.equal(receipt.status, "outOfGas");
    assert.equal(receipt.gasUsed, gasLimit);
    assert.equal(receipt.contractAddress, undefined);
  });
});
