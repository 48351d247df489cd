/**
 * Call frames and the host ABI: nested calls and their reverts, value transfers,
 * context, events, hashing, and an uncaught revert undoing the whole transaction while
 * its gas is still paid.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import { contractAddress } from "../../../src/codec/address.js";
import { toHex } from "../../../src/codec/bytes.js";
import { keccak256 } from "../../../src/codec/hash.js";
import { encodeCall } from "../../../src/codec/metadata.js";
import { codeHashKey, storagePrefix } from "../../../src/state/keys.js";
import { coldCallGas } from "../../../src/vm/callContract.js";
import { compileContract } from "../../../src/vm/moduleCache.js";
import { account, FEE_RECIPIENT } from "../../helpers/chain.js";
import { type Contract, TestChain } from "../../helpers/contracts.js";

const alice = account(1);

function two(): { chain: TestChain; a: Contract; b: Contract } {
  const chain = new TestChain();
  return { chain, a: chain.deploy("probe"), b: chain.deploy("probe", [], account(2)) };
}

function storageOf(chain: TestChain, c: Contract): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of chain.state.entries) if (k.startsWith(storagePrefix(c.address))) out.set(k, toHex(v));
  return out;
}

describe("call frames", () => {
  it("a reverted inner call undoes only its own writes and events; the caller continues", () => {
    const { chain, a, b } = two();
    const args = encodeAbi(["string", "string", "u32"], ["inner", "x", 7]);
    const out = a.send(alice, "callAndCatch", [b.address, "setThenRefuse", args, 0n, 0n]);
    assert.equal(out.receipt.status, "success");
    assert.equal(out.value, 1n, "status 1: the callee reverted");
    assert.equal(a.view("get", ["before"]), "1");
    assert.equal(a.view("get", ["status"]), "1");
    assert.equal(b.view("has", ["inner"]), false, "the callee's write was undone");
    assert.equal(out.receipt.events.length, 0, "the callee's event was dropped");
    assert.equal(storageOf(chain, b).size, 0);
  });

  it("a successful inner call keeps its writes and returns its data", () => {
    const { a, b } = two();
    b.send(alice, "set", ["k", "from-b"]);
    const out = a.send(alice, "forward", [b.address, "get", encodeAbi(["string"], ["k"])]);
    assert.equal(out.receipt.status, "success");
    assert.deepEqual(out.value, encodeAbi(["string"], ["from-b"]));
  });

  it("an inner call that runs out of gas reports status 2 and its gas is charged", () => {
    const { a, b } = two();
    const out = a.send(alice, "callAndCatch", [b.address, "spin", new Uint8Array(0), 0n, 200_000n], {
      gasLimit: 2_000_000,
    });
    assert.equal(out.receipt.status, "success");
    assert.equal(out.value, 2n);
    assert.ok(out.receipt.gasUsed > 200_000, `gas used ${out.receipt.gasUsed}`);
  });

  it("an uncaught revert undoes every effect of the transaction but its fee is paid", () => {
    const { chain, a } = two();
    const before = new Map(chain.state.entries);
    const aliceBefore = chain.state.balance(alice);
    const feeBefore = chain.state.balance(FEE_RECIPIENT);
    const out = a.send(alice, "setThenRefuse", ["k", "v", 3], { gasPrice: 2n, value: 5n });
    assert.equal(out.receipt.status, "revert");
    assert.deepEqual(out.error, { name: "Refused", args: { reason: "asked to", code: 3n } });
    assert.equal(out.receipt.events.length, 0);
    const fee = BigInt(out.receipt.gasUsed) * 2n;
    assert.equal(out.receipt.fee, fee);
    assert.equal(chain.state.balance(alice), aliceBefore - fee, "value returned, fee paid");
    assert.equal(chain.state.balance(FEE_RECIPIENT), feeBefore + fee);
    for (const [k, v] of chain.state.entries) {
      if (k.startsWith("01")) continue; // balances: checked above
      assert.deepEqual(v, before.get(k), `key ${k} changed`);
    }
  });

  it("require() reverts with Error(message)", () => {
    const { a } = two();
    assert.equal(a.send(alice, "requireTrue", [true]).receipt.status, "success");
    assert.deepEqual(a.send(alice, "requireTrue", [false]).error, {
      name: "Error",
      args: { message: "flag must be true" },
    });
  });

  it("value sent with a call reaches the contract, and it can pay it out", () => {
    const { chain, a } = two();
    const out = a.send(alice, "sent", [], { value: 1234n });
    assert.equal(out.value, 1234n);
    assert.equal(chain.state.balance(a.address), 1234n);
    assert.equal(a.view("coinBalance", [a.address]), 1234n);
    assert.equal(a.send(alice, "pay", [account(9), 1000n]).value, true);
    assert.equal(chain.state.balance(account(9)), 1000n);
    assert.equal(a.send(alice, "pay", [account(9), 1000n]).value, false, "only 234 left");
    assert.equal(chain.state.balance(a.address), 234n);
  });

  it("context: caller, self, block height, time, chain id, gas left", () => {
    const chain = new TestChain(5, { height: 42n, time: 1_234_567n, chainId: 99n });
    const a = chain.deploy("probe");
    const b = chain.deploy("probe", [], account(2));
    assert.equal(a.send(account(3), "whoCalled").value, account(3));
    assert.equal(a.view("me"), a.address);
    assert.equal(a.view("height"), 42n);
    assert.equal(a.view("time"), 1_234_567n);
    assert.equal(a.view("chain"), 99n);
    // The call's first frame of `a` in its transaction pays the cold price before it runs.
    const cold = BigInt(coldCallGas(compileContract(loadArtifact("probe").code)));
    const gas = a.send(alice, "gas", [], { gasLimit: 1_000_000 + Number(cold) }).value as bigint;
    assert.ok(gas > 900_000n && gas < 1_000_000n, `gas left ${gas}`);
    // Through a nested call the caller is the calling contract.
    const via = a.send(alice, "forward", [b.address, "whoCalled", new Uint8Array(0)]);
    assert.deepEqual(via.value, encodeAbi(["address"], [a.address]));
  });

  it("events carry the signature topic, indexed topics and ABI data", () => {
    const { a } = two();
    const out = a.send(alice, "note", ["key", 5, "hello", 77n]);
    const [event] = a.events(out.receipt);
    assert.deepEqual(event, {
      name: "Noted",
      args: {
        key: `0x${toHex(keccak_256(new TextEncoder().encode("key")))}`,
        index: 5n,
        value: "hello",
        amount: 77n,
      },
    });
    const raw = out.receipt.events[0];
    assert.equal(
      raw?.topics[0],
      `0x${toHex(keccak_256(new TextEncoder().encode("Noted(string,u32,string,u128)")))}`,
    );
    assert.equal(raw?.topics[2], `0x05${"00".repeat(31)}`);
    assert.equal(raw?.address, a.address);
  });

  it("sha256 and keccak256 match the reference implementations", () => {
    const { a } = two();
    const data = new TextEncoder().encode("weft hashes this");
    assert.deepEqual(a.view("sha", [data]), new Uint8Array(createHash("sha256").update(data).digest()));
    assert.deepEqual(a.view("keccak", [data]), keccak_256(data));
  });

  it("u128 arithmetic is checked and mulDiv keeps a 256-bit product", () => {
    const { a } = two();
    const max = (1n << 128n) - 1n;
    assert.equal(a.view("add", [max - 5n, 5n]), max);
    assert.equal(a.send(alice, "add", [max, 1n]).error?.name, "Overflow");
    assert.equal(a.send(alice, "sub", [1n, 2n]).error?.name, "Overflow");
    assert.equal(a.view("mul", [1n << 64n, (1n << 63n) + 3n]), (1n << 64n) * ((1n << 63n) + 3n));
    assert.equal(a.send(alice, "mul", [1n << 64n, 1n << 64n]).error?.name, "Overflow");
    assert.equal(a.view("div", [max, 3n]), max / 3n);
    assert.equal(
      a.view("div", [(1n << 100n) + 12345n, (1n << 70n) + 7n]),
      ((1n << 100n) + 12345n) / ((1n << 70n) + 7n),
    );
    assert.equal(a.send(alice, "div", [1n, 0n]).error?.name, "Overflow");
    const x = (1n << 120n) + 987654321n;
    const y = (1n << 110n) + 5n;
    const z = (1n << 105n) + 11n;
    assert.equal(a.view("mulDiv", [x, y, z]), (x * y) / z);
    assert.equal(a.send(alice, "mulDiv", [max, max, 1n]).error?.name, "Overflow");
  });

  it("ABI values round-trip through a contract (arrays, bool, i64, string)", () => {
    const { a } = two();
    const values = [1n, (1n << 128n) - 1n, 0n];
    assert.deepEqual(a.view("echo", [values, [alice], true, -5n, "héllo"]), values);
  });

  it("Fields lay one record over several keys, one per field", () => {
    const { chain, a } = two();
    const before = storageOf(chain, a).size;
    a.send(alice, "setRecord", [7, 500n, "seven", account(3)]);
    assert.equal(storageOf(chain, a).size, before + 3, "three fields, three keys");
    assert.equal(a.view("recordLabel", [7]), "seven");
    assert.equal(a.view("recordAmount", [7]), 500n);
    a.send(alice, "clearRecordAmount", [7]);
    assert.equal(a.view("recordAmount", [7]), 0n);
    assert.equal(a.view("recordLabel", [7]), "seven");
    assert.equal(storageOf(chain, a).size, before + 2);
    assert.equal(a.view("recordLabel", [8]), "");
  });
});

describe("create (a contract deploying from code on chain)", () => {
  it("derives the address from the creating contract, sends value, refuses a second creation at the same address", () => {
    const { chain, a } = two();
    const token = loadArtifact("token");
    chain.deploy("token", ["T", "T", 0, 1n, account(3)], account(3)); // puts the token code on chain
    const codeHash = keccak256(token.code);
    const args = encodeCall(
      { ...token.metadata, methods: token.metadata.constructor ? [token.metadata.constructor] : [] },
      "init",
      ["Made", "MADE", 2, 500n, account(4)],
    );
    const salt = new Uint8Array(32).fill(5);
    const made = a.send(alice, "make", [codeHash, args, salt, 0n], { gasLimit: 20_000_000 });
    assert.equal(
      made.receipt.status,
      "success",
      JSON.stringify(made.error, (_k, v) => (typeof v === "bigint" ? String(v) : v)),
    );
    assert.equal(made.value, contractAddress(a.address, salt, codeHash, args));
    const again = a.send(alice, "tryMake", [codeHash, args, salt], { gasLimit: 20_000_000 });
    assert.equal(again.value, 1n, "AddressInUse: status 1");
    assert.equal(a.view("get", ["after"]), "1", "the creator continued");
    const missing = a.send(alice, "tryMake", [new Uint8Array(32).fill(9), args, salt], {
      gasLimit: 20_000_000,
    });
    assert.equal(missing.value, 1n, "NoSuchCode: status 1");
    // A failing constructor (zero owner) leaves nothing at its address.
    const badArgs = encodeCall(
      { ...token.metadata, methods: token.metadata.constructor ? [token.metadata.constructor] : [] },
      "init",
      ["X", "X", 0, 0n, `0x${"00".repeat(20)}`],
    );
    const bad = a.send(alice, "tryMake", [codeHash, badArgs, salt], { gasLimit: 20_000_000 });
    assert.equal(bad.value, 1n);
    assert.equal(
      chain.state.get(codeHashKey(contractAddress(a.address, salt, codeHash, badArgs))),
      undefined,
    );
  });
});

describe("signature host functions", () => {
  it("ed25519_verify, secp256k1_recover and p256_verify answer like the host's own checks, and charge their price", async () => {
    const { ed25519Signer, passkeySigner, secp256k1Signer } = await import("../../../src/sdk/signers.js");
    const { createHash } = await import("node:crypto");
    const { a } = two();
    const message = new TextEncoder().encode("authorise this");
    const ed = ed25519Signer();
    const edSig = ed.sign(message);
    assert.equal(a.view("checkEd25519", [ed.publicKey, message, edSig]), true);
    assert.equal(a.view("checkEd25519", [ed.publicKey, new Uint8Array([1]), edSig]), false);
    assert.equal(a.view("checkEd25519", [new Uint8Array(32), message, edSig]), false);
    const k1 = secp256k1Signer(3);
    const digest = keccak256(message);
    const k1Sig = k1.sign(message); // over keccak256(message)
    assert.equal(a.view("recoverSigner", [digest, k1Sig]), k1.address);
    assert.equal(a.view("recoverSigner", [new Uint8Array(32).fill(1), k1Sig]) === k1.address, false);
    const passkey = passkeySigner();
    const assertion = passkey.assert(digest);
    const signed = new Uint8Array([
      ...assertion.authenticatorData,
      ...createHash("sha256").update(assertion.clientDataJSON).digest(),
    ]);
    // Authenticators return DER; the host function takes raw r ‖ s.
    const { p256 } = await import("@noble/curves/nist.js");
    const raw = p256.Signature.fromBytes(assertion.signature, "der").toBytes("compact");
    assert.equal(a.view("checkP256", [passkey.publicKey, signed, raw]), true);
    assert.equal(a.view("checkP256", [passkey.publicKey, message, raw]), false);
    const gas = a.send(alice, "checkEd25519", [ed.publicKey, message, edSig]).receipt.gasUsed;
    assert.ok(gas > 100_000, `ed25519 verification charged ${gas}`);
  });
});
