/**
 * Social recovery and rotation for the secp256k1 and passkey accounts (the shared
 * `contracts/sdk/recovery.ts`; the ed25519 account's case is in accountTx.test.ts):
 * guardians recover after the delay, the old key stops signing, the new one signs; the
 * owner can cancel; only the account rotates.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { p256 } from "@noble/curves/nist.js";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import type { Receipt } from "../../../src/chain/receipt.js";
import { signingHash, type TxEnvelope } from "../../../src/chain/tx/envelope.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { encodeCall } from "../../../src/codec/metadata.js";
import { passkeySigner, secp256k1Signer } from "../../../src/sdk/signers.js";
import { nonceOf } from "../../helpers/accounts.js";
import { account } from "../../helpers/chain.js";
import { Contract, TestChain } from "../../helpers/contracts.js";

type Authorise = (hash: Uint8Array) => Uint8Array;

function passkeyAuth(signer: ReturnType<typeof passkeySigner>): Authorise {
  return (hash) => {
    const a = signer.assert(hash);
    const raw = p256.Signature.fromBytes(a.signature, "der").toBytes("compact");
    return encodeAbi(["bytes", "bytes", "bytes"], [a.authenticatorData, a.clientDataJSON, raw]);
  };
}

/** Sends a call to the account itself, authorised by `authorise`. */
function own(
  chain: TestChain,
  acct: Contract,
  method: string,
  args: unknown[],
  authorise: Authorise,
): Receipt {
  const sequence = nonceOf(chain, acct.address);
  const env: TxEnvelope = {
    chainId: chain.block.chainId,
    sender: acct.address,
    nonceKey: 0n,
    nonceSequence: sequence,
    gasLimit: 5_000_000n,
    maxFee: 1n,
    priorityFee: 1n,
    calls: [{ target: acct.address, method, args: encodeCall(acct.meta, method, args), value: 0n }],
    auth: new Uint8Array(0),
  };
  env.auth = authorise(signingHash(env));
  return chain.runOne({ kind: "account", envelope: env });
}

function deployFunded(chain: TestChain, name: string, args: unknown[]): Contract {
  const c = chain.deploy(name, args);
  chain.runOne({
    kind: "transfer",
    from: account(1),
    to: c.address,
    amount: 10n ** 19n,
    gasLimit: 21_000,
    gasPrice: 1n,
  });
  return new Contract(chain, c.address, loadArtifact(name).metadata);
}

const GUARDIANS: Address[] = [account(2), account(3), account(4)];

describe("social recovery for every single-key account", () => {
  it("secp256k1: guardians hand the account to a new owner after the delay", () => {
    const chain = new TestChain(6);
    const first = secp256k1Signer(21);
    const acct = deployFunded(chain, "secp256k1Account", [first.address]);
    assert.equal(own(chain, acct, "setGuardians", [GUARDIANS, 2, 600n], first.sign).status, "success");
    const next = secp256k1Signer(22);
    assert.equal(acct.send(account(5), "approveRecovery", [next.address]).error?.name, "NotGuardian");
    acct.send(account(2), "approveRecovery", [next.address]);
    acct.send(account(3), "approveRecovery", [next.address]);
    assert.equal(acct.send(account(1), "completeRecovery").error?.name, "RecoveryNotReady");
    chain.advance(600n);
    const done = acct.send(account(1), "completeRecovery");
    assert.equal(done.receipt.status, "success");
    assert.deepEqual(
      acct.events(done.receipt).map((e) => e.name),
      ["KeyRotated"],
    );
    assert.equal(acct.view("owner"), next.address);
    assert.equal(
      own(chain, acct, "setGuardians", [GUARDIANS, 3, 60n], first.sign).status,
      "invalid",
      "old owner",
    );
    assert.equal(
      own(chain, acct, "setGuardians", [GUARDIANS, 3, 60n], next.sign).status,
      "success",
      "new owner",
    );
    assert.equal(acct.send(account(2), "setOwner", [account(2)]).error?.name, "NotSelf");
  });

  it("passkey: the owner cancels a hostile recovery; guardians later recover to a new passkey", () => {
    const chain = new TestChain(6);
    const first = passkeySigner();
    const acct = deployFunded(chain, "passkeyAccount", [first.publicKey]);
    assert.equal(
      own(chain, acct, "setGuardians", [GUARDIANS, 2, 600n], passkeyAuth(first)).status,
      "success",
    );
    const hostile = passkeySigner();
    acct.send(account(2), "approveRecovery", [hostile.publicKey]);
    acct.send(account(4), "approveRecovery", [hostile.publicKey]);
    assert.equal(own(chain, acct, "cancelRecovery", [], passkeyAuth(first)).status, "success");
    chain.advance(600n);
    assert.equal(acct.send(account(1), "completeRecovery").error?.name, "NoRecovery");
    assert.equal(acct.send(account(2), "approveRecovery", [new Uint8Array(64)]).error?.name, "BadPublicKey");

    const next = passkeySigner();
    acct.send(account(3), "approveRecovery", [next.publicKey]);
    acct.send(account(4), "approveRecovery", [next.publicKey]);
    chain.advance(600n);
    assert.equal(acct.send(account(1), "completeRecovery").receipt.status, "success");
    assert.deepEqual(acct.view("publicKey"), next.publicKey);
    assert.equal(own(chain, acct, "cancelRecovery", [], passkeyAuth(first)).status, "invalid", "old passkey");
    const rotated = passkeySigner();
    assert.equal(own(chain, acct, "rotateKey", [rotated.publicKey], passkeyAuth(next)).status, "success");
    assert.deepEqual(acct.view("publicKey"), rotated.publicKey);
  });
});
