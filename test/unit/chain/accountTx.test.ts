/**
 * Transactions from smart accounts (v1 envelopes): validation by the account, nonces per
 * key (replay, gaps, independent keys), chain id, atomic call batches, fees; and the
 * parallel engine on a block of them.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Transaction } from "../../../src/chain/transaction.js";
import { signingHash, type TxEnvelope } from "../../../src/chain/tx/envelope.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { ed25519Signer } from "../../../src/sdk/signers.js";
import { nonceOf, type Signer, setupAccounts, signed, transferCall } from "../../helpers/accounts.js";
import { account, FEE_RECIPIENT } from "../../helpers/chain.js";
import { TestChain } from "../../helpers/contracts.js";
import { assertSameAsSequential, attachChain, chainEngine } from "../../helpers/parallelChain.js";

describe("account transactions", () => {
  it("a valid envelope runs its calls as the account, advances the nonce and pays the fee", () => {
    const { chain, token, users } = setupAccounts();
    const user = users[0] as { address: Address; key: Signer };
    const coinBefore = chain.state.balance(user.address);
    const feeBefore = chain.state.balance(FEE_RECIPIENT);
    const receipt = chain.runOne(signed(chain, user, [transferCall(token, account(2), 250n)]));
    assert.equal(receipt.status, "success", receipt.invalidReason);
    // Balances first: `view` below sends transactions that pay fees too.
    assert.equal(receipt.fee, BigInt(receipt.gasUsed) * 1n, "price = min(max fee, priority fee)");
    assert.equal(chain.state.balance(user.address), coinBefore - receipt.fee);
    assert.equal(chain.state.balance(FEE_RECIPIENT), feeBefore + receipt.fee);
    assert.equal(token.view("balanceOf", [account(2)]), 250n);
    assert.equal(nonceOf(chain, user.address), 1n);
  });

  it("replays, nonce gaps, another chain and a wrong signature are invalid and change nothing", () => {
    const { chain, token, users } = setupAccounts();
    const user = users[0] as { address: Address; key: Signer };
    const tx = signed(chain, user, [transferCall(token, account(2), 1n)]);
    assert.equal(chain.runOne(tx).status, "success");
    const before = new Map(chain.state.entries);
    const cases: Array<[Transaction, RegExp]> = [
      [tx, /nonce 0:0 is not the next one \(0:1\)/],
      [signed(chain, user, [transferCall(token, account(2), 1n)], { sequence: 5n }), /not the next one/],
      [
        signed(chain, user, [transferCall(token, account(2), 1n)], { sequence: 1n, chainId: 1n }),
        /chain id 1/,
      ],
      [
        signed(chain, user, [transferCall(token, account(2), 1n)], { sequence: 1n, signer: ed25519Signer() }),
        /refused the authorisation/,
      ],
      [
        { kind: "account", envelope: { ...(tx as { envelope: TxEnvelope }).envelope, sender: account(3) } },
        /not an account contract/,
      ],
    ];
    for (const [bad, reason] of cases) {
      const receipt = chain.runOne(bad);
      assert.equal(receipt.status, "invalid");
      assert.match(receipt.invalidReason ?? "", reason);
    }
    assert.deepEqual(new Map(chain.state.entries), before);
  });

  it("a failing call reverts the whole batch, but the nonce advances and the fee is paid", () => {
    const { chain, token, users } = setupAccounts();
    const user = users[0] as { address: Address; key: Signer };
    const receipt = chain.runOne(
      signed(chain, user, [transferCall(token, account(2), 10n), transferCall(token, account(2), 10n ** 9n)]),
    );
    assert.equal(receipt.status, "revert");
    assert.equal(token.view("balanceOf", [account(2)]), 0n, "the first call was undone too");
    assert.equal(nonceOf(chain, user.address), 1n);
    assert.ok(receipt.fee > 0n);
  });

  it("pays coin to a plain address with the empty method; other methods on it fail", () => {
    const { chain, users } = setupAccounts();
    const user = users[0] as { address: Address; key: Signer };
    const fresh = account(77);
    const before = chain.state.balance(fresh);
    const pay = chain.runOne(
      signed(chain, user, [{ target: fresh, method: "", args: new Uint8Array(0), value: 12_345n }]),
    );
    assert.equal(pay.status, "success", pay.invalidReason);
    assert.equal(chain.state.balance(fresh), before + 12_345n);
    const wrong = chain.runOne(
      signed(chain, user, [{ target: fresh, method: "deposit", args: new Uint8Array(0), value: 1n }]),
    );
    assert.equal(wrong.status, "revert");
    assert.equal(chain.state.balance(fresh), before + 12_345n);
  });

  it("pays coin to a smart account with the empty method: no code runs, parallel = sequential", async () => {
    const { chain, users } = setupAccounts(3);
    type User = { address: Address; key: Signer };
    const [a, b, c] = users as [User, User, User];
    const pay = (from: { address: Address; key: Signer }, to: Address, value: bigint, sequence = 0n) =>
      signed(chain, from, [{ target: to, method: "", args: new Uint8Array(0), value }], { sequence });
    const before = chain.state.balance(b.address);
    const one = chain.runOne(pay(a, b.address, 777n));
    assert.equal(one.status, "success", one.invalidReason);
    assert.equal(one.output.length, 0);
    assert.equal(chain.state.balance(b.address), before + 777n);
    const txs = [
      pay(a, c.address, 5n, 1n),
      pay(b, a.address, 6n),
      pay(c, b.address, 7n),
      pay(a, b.address, 1n, 2n),
    ];
    const engine = await chainEngine(2);
    try {
      const result = await assertSameAsSequential(engine, await attachChain(engine, chain), chain.block, txs);
      assert.deepEqual(
        result.receipts.map((r) => r.status),
        ["success", "success", "success", "success"],
      );
    } finally {
      await engine.close();
    }
  });

  it("nonce keys are independent flows", () => {
    const { chain, token, users } = setupAccounts();
    const user = users[0] as { address: Address; key: Signer };
    assert.equal(
      chain.runOne(signed(chain, user, [transferCall(token, account(2), 1n)], { key: 7n })).status,
      "success",
    );
    assert.equal(
      chain.runOne(signed(chain, user, [transferCall(token, account(2), 1n)], { key: 0n })).status,
      "success",
    );
    assert.equal(
      chain.runOne(signed(chain, user, [transferCall(token, account(2), 1n)], { key: 7n, sequence: 1n }))
        .status,
      "success",
    );
    assert.equal(nonceOf(chain, user.address, 7n), 2n);
    assert.equal(nonceOf(chain, user.address, 0n), 1n);
  });

  it("a block of account transactions: the parallel engine matches sequential", async () => {
    const { chain, token, users } = setupAccounts(4);
    const txs: Transaction[] = [];
    for (let round = 0; round < 10; round++) {
      for (const user of users)
        txs.push(
          signed(chain, user, [transferCall(token, account(2 + (round % 3)), 1n)], {
            sequence: BigInt(round),
          }),
        );
    }
    txs.push(txs[0] as Transaction); // a replay inside the block
    const engine = await chainEngine(2);
    try {
      const result = await assertSameAsSequential(engine, await attachChain(engine, chain), chain.block, txs);
      assert.equal(result.receipts.filter((r) => r.status === "success").length, 40);
      assert.equal(result.receipts.at(-1)?.status, "invalid");
    } finally {
      await engine.close();
    }
  });
});

describe("account kinds", () => {
  async function run(kind: "secp256k1" | "passkey") {
    const { secp256k1Signer, passkeySigner } = await import("../../../src/sdk/signers.js");
    const { p256 } = await import("@noble/curves/nist.js");
    const chain = new TestChain(4);
    const token = chain.deploy("token", ["T", "T", 0, 10n ** 12n, account(1)]);
    let address: Address;
    let authorise: (hash: Uint8Array) => Uint8Array;
    let forge: (hash: Uint8Array) => Uint8Array;
    if (kind === "secp256k1") {
      const key = secp256k1Signer(7);
      address = chain.deploy("secp256k1Account", [key.address]).address;
      authorise = (hash) => key.sign(hash);
      forge = (hash) => secp256k1Signer(8).sign(hash);
    } else {
      const key = passkeySigner();
      address = chain.deploy("passkeyAccount", [key.publicKey]).address;
      const encode = (signer: ReturnType<typeof passkeySigner>, hash: Uint8Array) => {
        const a = signer.assert(hash);
        const raw = p256.Signature.fromBytes(a.signature, "der").toBytes("compact");
        return encodeAbi(["bytes", "bytes", "bytes"], [a.authenticatorData, a.clientDataJSON, raw]);
      };
      authorise = (hash) => encode(key, hash);
      forge = (hash) => encode(passkeySigner(), hash);
    }
    chain.runOne({
      kind: "transfer",
      from: account(1),
      to: address,
      amount: 10n ** 19n,
      gasLimit: 21_000,
      gasPrice: 1n,
    });
    chain.runOne(token.tx(account(1), "transfer", [address, 1_000n]));
    const envelope = (sequence: bigint, sign: (hash: Uint8Array) => Uint8Array): Transaction => {
      const env: TxEnvelope = {
        chainId: chain.block.chainId,
        sender: address,
        nonceKey: 0n,
        nonceSequence: sequence,
        gasLimit: 5_000_000n,
        maxFee: 1n,
        priorityFee: 1n,
        calls: [transferCall(token, account(2), 5n)],
        auth: new Uint8Array(0),
      };
      env.auth = sign(signingHash(env));
      return { kind: "account", envelope: env };
    };
    const forged = chain.runOne(envelope(0n, forge));
    assert.equal(forged.status, "invalid", `${kind}: another key`);
    const ok = chain.runOne(envelope(0n, authorise));
    assert.equal(ok.status, "success", `${kind}: ${ok.invalidReason}`);
    assert.equal(token.view("balanceOf", [account(2)]), 5n);
  }

  it("a secp256k1 (Ethereum-style) account validates its owner's signature", async () => {
    await run("secp256k1");
  });

  it("a passkey account validates a real WebAuthn assertion over the signing hash", async () => {
    await run("passkey");
  });
});

describe("multisig account", () => {
  it("k-of-n across schemes: exactly k distinct valid signatures pass, anything else is invalid", async () => {
    const { secp256k1Signer, passkeySigner } = await import("../../../src/sdk/signers.js");
    const { p256 } = await import("@noble/curves/nist.js");
    const { fromHex } = await import("../../../src/codec/bytes.js");
    const chain = new TestChain(4);
    const token = chain.deploy("token", ["T", "T", 0, 10n ** 12n, account(1)]);
    const ed = ed25519Signer();
    const k1 = secp256k1Signer(9);
    const pk = passkeySigner();
    const keys = [ed.publicKey, fromHex(k1.address.slice(2)), pk.publicKey];
    assert.throws(() => chain.deploy("multisigAccount", [4, [0, 1, 2], keys]), /BadThreshold/);
    assert.throws(() => chain.deploy("multisigAccount", [2, [0, 0, 2], keys]), /BadSigner/);
    const address = chain.deploy("multisigAccount", [2, [0, 1, 2], keys]).address;
    chain.runOne({
      kind: "transfer",
      from: account(1),
      to: address,
      amount: 10n ** 19n,
      gasLimit: 21_000,
      gasPrice: 1n,
    });
    chain.runOne(token.tx(account(1), "transfer", [address, 1_000n]));
    const sigs: Record<number, (hash: Uint8Array) => Uint8Array> = {
      0: (h) => ed.sign(h),
      1: (h) => k1.sign(h),
      2: (h) => {
        const a = pk.assert(h);
        const raw = p256.Signature.fromBytes(a.signature, "der").toBytes("compact");
        return encodeAbi(["bytes", "bytes", "bytes"], [a.authenticatorData, a.clientDataJSON, raw]);
      },
    };
    const tx = (sequence: bigint, indices: number[], forge = false): Transaction => {
      const env: TxEnvelope = {
        chainId: chain.block.chainId,
        sender: address,
        nonceKey: 0n,
        nonceSequence: sequence,
        gasLimit: 8_000_000n,
        maxFee: 1n,
        priorityFee: 1n,
        calls: [transferCall(token, account(2), 1n)],
        auth: new Uint8Array(0),
      };
      const hash = signingHash(env);
      const parts: number[] = [indices.length];
      for (const i of indices) {
        const sig =
          forge && i === indices[0]
            ? ed25519Signer().sign(hash)
            : (sigs[i] as (h: Uint8Array) => Uint8Array)(hash);
        parts.push(i, ...encodeAbi(["bytes"], [sig]));
      }
      env.auth = new Uint8Array(parts);
      return { kind: "account", envelope: env };
    };
    assert.equal(chain.runOne(tx(0n, [0])).status, "invalid", "1 of 2");
    assert.equal(chain.runOne(tx(0n, [0, 0])).status, "invalid", "the same signer twice");
    assert.equal(chain.runOne(tx(0n, [0, 2], true)).status, "invalid", "one forged");
    const ok = chain.runOne(tx(0n, [1, 2]));
    assert.equal(ok.status, "success", ok.invalidReason);
    // Exactly the threshold: with a third signature, anyone could drop one (or add a
    // failing one) and give the signed transaction a second authorisation and hash.
    assert.equal(chain.runOne(tx(1n, [0, 1, 2])).status, "invalid", "3 signatures for a threshold of 2");
    assert.equal(chain.runOne(tx(1n, [0, 1, 2], true)).status, "invalid", "an extra failing signature");
    assert.equal(chain.runOne(tx(1n, [0, 1])).status, "success");
    assert.equal(token.view("balanceOf", [account(2)]), 2n);
  });
});

describe("account factory (counterfactual addresses)", () => {
  it("coin sent to an account's address before it exists; created later; then it transacts", async () => {
    const { loadArtifact } = await import("../../../src/chain/artifacts.js");
    const { contractAddress } = await import("../../../src/codec/address.js");
    const { keccak256 } = await import("../../../src/codec/hash.js");
    const { encodeCall } = await import("../../../src/codec/metadata.js");
    const chain = new TestChain(4);
    const kind = loadArtifact("ed25519Account");
    chain.deploy("ed25519Account", [ed25519Signer().publicKey], account(4)); // the kind's code on chain
    const codeHash = keccak256(kind.code);
    const factory = chain.deploy("accountFactory", [[codeHash]]);
    const key = ed25519Signer();
    const args = encodeCall(
      { ...kind.metadata, methods: kind.metadata.constructor ? [kind.metadata.constructor] : [] },
      "init",
      [key.publicKey],
    );
    const salt = new Uint8Array(32).fill(42);
    const predicted = contractAddress(factory.address, salt, codeHash, args);
    chain.runOne({
      kind: "transfer",
      from: account(1),
      to: predicted,
      amount: 10n ** 18n,
      gasLimit: 21_000,
      gasPrice: 1n,
    });
    assert.equal(chain.state.balance(predicted), 10n ** 18n, "funded before it exists");
    assert.equal(
      factory.send(account(2), "createAccount", [new Uint8Array(32), args, salt]).error?.name,
      "NotAnAccountKind",
    );
    const created = factory.send(account(2), "createAccount", [codeHash, args, salt], {
      gasLimit: 5_000_000,
    });
    assert.equal(created.value, predicted);
    assert.equal(
      factory.send(account(2), "createAccount", [codeHash, args, salt], { gasLimit: 5_000_000 }).error?.name,
      "CreationFailed",
    );
    const env: TxEnvelope = {
      chainId: chain.block.chainId,
      sender: predicted,
      nonceKey: 0n,
      nonceSequence: 0n,
      gasLimit: 1_000_000n,
      maxFee: 1n,
      priorityFee: 1n,
      calls: [{ target: account(3), method: "none", args: new Uint8Array(0), value: 0n }],
      auth: new Uint8Array(0),
    };
    env.auth = key.sign(signingHash(env));
    const receipt = chain.runOne({ kind: "account", envelope: env });
    // The call targets a plain address (no contract): the batch reverts, but the account validated and paid.
    assert.equal(receipt.status, "revert");
    assert.ok(receipt.fee > 0n);
  });
});

describe("key rotation and social recovery (ed25519 account)", () => {
  it("the owner rotates and sets guardians; guardians recover after the delay; the owner can cancel", async () => {
    const { encodeCall, decodeRevert } = await import("../../../src/codec/metadata.js");
    const { loadArtifact } = await import("../../../src/chain/artifacts.js");
    const meta = loadArtifact("ed25519Account").metadata;
    const chain = new TestChain(6);
    let key = ed25519Signer();
    const acct = chain.deploy("ed25519Account", [key.publicKey]);
    chain.runOne({
      kind: "transfer",
      from: account(1),
      to: acct.address,
      amount: 10n ** 19n,
      gasLimit: 21_000,
      gasPrice: 1n,
    });
    let sequence = 0n;
    const own = (method: string, args: unknown[], signer = key) => {
      const env: TxEnvelope = {
        chainId: chain.block.chainId,
        sender: acct.address,
        nonceKey: 0n,
        nonceSequence: sequence,
        gasLimit: 3_000_000n,
        maxFee: 1n,
        priorityFee: 1n,
        calls: [{ target: acct.address, method, args: encodeCall(meta, method, args), value: 0n }],
        auth: new Uint8Array(0),
      };
      env.auth = signer.sign(signingHash(env));
      const receipt = chain.runOne({ kind: "account", envelope: env });
      if (receipt.status !== "invalid") sequence++;
      return receipt;
    };
    const guardians = [account(2), account(3), account(4)];
    assert.equal(acct.send(account(2), "setGuardians", [guardians, 2, 3600n]).error?.name, "NotSelf");
    assert.equal(own("setGuardians", [guardians, 2, 3600n]).status, "success");
    assert.deepEqual(acct.view("guardians"), guardians);

    const next = ed25519Signer();
    assert.equal(acct.send(account(5), "approveRecovery", [next.publicKey]).error?.name, "NotGuardian");
    assert.equal(acct.send(account(2), "approveRecovery", [next.publicKey]).value, 1n);
    assert.equal(
      acct.send(account(2), "approveRecovery", [next.publicKey]).value,
      1n,
      "a guardian counts once",
    );
    assert.equal(acct.send(account(1), "completeRecovery").error?.name, "NotEnoughApprovals");
    assert.equal(acct.send(account(3), "approveRecovery", [next.publicKey]).value, 2n);
    assert.equal(acct.send(account(1), "completeRecovery").error?.name, "RecoveryNotReady");
    chain.advance(3600n);
    assert.equal(acct.send(account(1), "completeRecovery").receipt.status, "success");
    assert.deepEqual(acct.view("publicKey"), next.publicKey);
    assert.equal(
      own("rotateKey", [ed25519Signer().publicKey], key).status,
      "invalid",
      "the old key no longer signs",
    );
    key = next;

    // Recovery started, then cancelled by the owner: it cannot complete.
    const attacker = ed25519Signer();
    acct.send(account(2), "approveRecovery", [attacker.publicKey]);
    acct.send(account(4), "approveRecovery", [attacker.publicKey]);
    assert.equal(own("cancelRecovery", []).status, "success");
    chain.advance(3600n);
    const late = acct.send(account(1), "completeRecovery");
    assert.deepEqual(decodeRevert(meta, late.receipt.output).name, "NoRecovery");

    // The owner rotates its key directly.
    const rotated = ed25519Signer();
    assert.equal(own("rotateKey", [rotated.publicKey]).status, "success");
    key = rotated;
    assert.equal(own("setGuardians", [guardians, 3, 60n]).status, "success", "the new key signs");
  });
});
