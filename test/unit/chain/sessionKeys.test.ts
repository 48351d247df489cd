/**
 * Session keys (sdk/sessionKeys.ts in the built-in accounts): an owner grants a key
 * limited to targets and methods, a spending limit per token and for the coin (fees
 * included), and an expiry; the account enforces all of it at validation.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import type { Receipt } from "../../../src/chain/receipt.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import { concatBytes } from "../../../src/codec/bytes.js";
import { ed25519Signer } from "../../../src/sdk/signers.js";
import {
  callOf,
  nonceOf,
  type Signer,
  setupAccounts,
  signed,
  transferCall,
  type User,
} from "../../helpers/accounts.js";
import { account } from "../../helpers/chain.js";
import { Contract, type TestChain } from "../../helpers/contracts.js";
import { assertSameAsSequential, attachChain, chainEngine } from "../../helpers/parallelChain.js";

const COIN = "0x0000000000000000000000000000000000000000";
const HOUR = 3600n;

function sessionAuth(session: Signer) {
  return (hash: Uint8Array) => concatBytes(session.publicKey, session.sign(hash));
}

function setup() {
  const { chain, token, users } = setupAccounts(1);
  const user = users[0] as User;
  const acct = new Contract(chain, user.address, loadArtifact("ed25519Account").metadata);
  const other = chain.deploy("token", ["O", "O", 0, 10n ** 12n, user.address]);
  return { chain, token, other, user, acct };
}

/** The owner grants `session` transfers of `token` up to `limit`, 1e8 coin for fees, for an hour. */
function grant(
  chain: TestChain,
  user: User,
  acct: Contract,
  session: Signer,
  token: Contract,
  limit: bigint,
) {
  const expiry = chain.block.time + HOUR;
  const receipt = chain.runOne(
    signed(chain, user, [
      callOf(acct, "grantSession", [
        session.publicKey,
        expiry,
        [token.address],
        ["transfer"],
        [token.address, COIN],
        [limit, 10n ** 8n],
      ]),
    ]),
  );
  assert.equal(receipt.status, "success", receipt.invalidReason);
  assert.deepEqual(
    acct.events(receipt).map((e) => e.name),
    ["SessionGranted"],
  );
  return expiry;
}

function bySession(
  chain: TestChain,
  user: User,
  session: Signer,
  calls: Parameters<typeof signed>[2],
): Receipt {
  return chain.runOne(signed(chain, user, calls, { authorise: sessionAuth(session) }));
}

describe("session keys", () => {
  it("spends within its per-token limit, then is refused; spending is recorded", () => {
    const { chain, token, user, acct } = setup();
    const session = ed25519Signer();
    grant(chain, user, acct, session, token, 500n);
    assert.equal(bySession(chain, user, session, [transferCall(token, account(2), 200n)]).status, "success");
    assert.equal(bySession(chain, user, session, [transferCall(token, account(2), 300n)]).status, "success");
    assert.equal(acct.view("sessionSpent", [session.publicKey, token.address]), 500n);
    const coinSpent = acct.view("sessionSpent", [session.publicKey, COIN]) as bigint;
    assert.ok(
      coinSpent > 0n && coinSpent <= 2n * 2n * 3_000_000n,
      "the max fees count against the coin limit",
    );
    const before = new Map(chain.state.entries);
    const over = bySession(chain, user, session, [transferCall(token, account(2), 1n)]);
    assert.equal(over.status, "invalid");
    assert.equal(
      over.invalidReason,
      `the account refused the authorisation (its validation ended in revert: SessionLimitExceeded: session key over its limit: spent 500 + 1 > limit 500 of token ${token.address})`,
    );
    assert.equal(over.invalidCode, "ACCOUNT_REFUSED");
    assert.deepEqual(new Map(chain.state.entries), before, "a refused transaction changes nothing");
    assert.equal(token.view("balanceOf", [account(2)]), 500n);
    // The owner is not limited by the session.
    assert.equal(
      chain.runOne(signed(chain, user, [transferCall(token, account(2), 10_000n)])).status,
      "success",
    );
  });

  it("other targets, other methods and a bad signature are refused, each saying which check failed", () => {
    const { chain, token, other, user, acct } = setup();
    const session = ed25519Signer();
    grant(chain, user, acct, session, token, 1_000n);
    const refusal = (calls: Parameters<typeof signed>[2], authorise = sessionAuth(session)) => {
      const receipt = chain.runOne(signed(chain, user, calls, { authorise }));
      assert.equal(receipt.status, "invalid");
      assert.equal(receipt.invalidCode, "ACCOUNT_REFUSED");
      const prefix = "the account refused the authorisation (its validation ended in revert: ";
      const reason = receipt.invalidReason ?? "";
      assert.ok(reason.startsWith(prefix), reason);
      return reason.slice(prefix.length, -1);
    };
    const hex = (bytes: Uint8Array) => `0x${Buffer.from(bytes).toString("hex")}`;
    assert.equal(
      refusal([transferCall(other, account(2), 1n)]),
      `SessionCallNotAllowed: session key may not call "transfer" on ${other.address}`,
      "another token",
    );
    assert.equal(
      refusal([callOf(token, "approve", [account(2), 1n])]),
      `SessionCallNotAllowed: session key may not call "approve" on ${token.address}`,
      "another method",
    );
    assert.equal(
      refusal([callOf(acct, "grantSession", [session.publicKey, 1n << 40n, [], [], [], []])]),
      `SessionCallNotAllowed: session key may not call "grantSession" on ${acct.address}`,
      "the account itself (escalating its own grant)",
    );
    const stranger = ed25519Signer();
    assert.equal(
      refusal([transferCall(token, account(2), 1n)], sessionAuth(stranger)),
      `SessionUnknown: session key ${hex(stranger.publicKey)} is not granted by this account (never granted, or revoked)`,
      "a key never granted",
    );
    const forged = (hash: Uint8Array) => concatBytes(session.publicKey, ed25519Signer().sign(hash));
    assert.equal(
      refusal([transferCall(token, account(2), 1n)], forged),
      `SessionBadSignature: session key ${hex(session.publicKey)}: its signature of the transaction does not verify`,
      "signed by another key",
    );
    assert.equal(
      refusal([{ ...transferCall(token, account(2), 1n), value: 10n ** 9n }]),
      "SessionLimitExceeded: session key over its limit: spent 3000000 + 1000000000 > limit 100000000 of the native coin",
      "coin over limit (the max fee is counted first, then the value)",
    );
    assert.equal(nonceOf(chain, user.address), 1n, "only the grant ran");
    assert.equal(
      chain.runOne(
        signed(chain, user, [transferCall(token, account(2), 1n)], { authorise: sessionAuth(session) }),
      ).status,
      "success",
    );
  });

  it("expires: valid until its expiry, refused after it", () => {
    const { chain, token, user, acct } = setup();
    const session = ed25519Signer();
    const expiry = grant(chain, user, acct, session, token, 1_000n);
    chain.advance(HOUR);
    assert.equal(chain.block.time, expiry);
    assert.equal(bySession(chain, user, session, [transferCall(token, account(2), 1n)]).status, "success");
    chain.advance(1n);
    const late = bySession(chain, user, session, [transferCall(token, account(2), 1n)]);
    assert.equal(late.status, "invalid");
    assert.match(late.invalidReason ?? "", /authorisation expired at \d+ \(block time \d+\)/);
    assert.equal(late.invalidCode, "ACCOUNT_EXPIRED");
  });

  it("only the account grants and revokes; a revoked key is refused", () => {
    const { chain, token, user, acct } = setup();
    const session = ed25519Signer();
    grant(chain, user, acct, session, token, 1_000n);
    const outsider = acct.send(account(2), "revokeSession", [session.publicKey]);
    assert.equal(outsider.receipt.status, "revert");
    assert.deepEqual(outsider.error, { name: "NotSelf", args: { caller: account(2) } });
    const revoke = chain.runOne(signed(chain, user, [callOf(acct, "revokeSession", [session.publicKey])]));
    assert.equal(revoke.status, "success");
    assert.equal(bySession(chain, user, session, [transferCall(token, account(2), 1n)]).status, "invalid");
    assert.equal(acct.view("sessionSpent", [session.publicKey, token.address]), 0n);
  });

  it("a block mixing session and owner transactions: the parallel engine matches sequential", async () => {
    const { chain, token, user, acct } = setup();
    const session = ed25519Signer();
    grant(chain, user, acct, session, token, 50n);
    const first = nonceOf(chain, user.address);
    const txs: Transaction[] = [];
    for (let i = 0n; i < 12n; i++) {
      const sequence = first + i;
      const calls = [transferCall(token, account(2), 10n)];
      txs.push(
        i % 3n === 2n
          ? signed(chain, user, calls, { sequence })
          : signed(chain, user, calls, { sequence, authorise: sessionAuth(session) }),
      );
    }
    const engine = await chainEngine(2);
    try {
      const result = await assertSameAsSequential(engine, await attachChain(engine, chain), chain.block, txs);
      const statuses = result.receipts.map((r) => r.status);
      // Five session transfers of 10 reach the limit of 50: the sixth (index 7) is refused,
      // which leaves a nonce gap, so every later transaction is invalid too.
      assert.deepEqual(statuses, [...Array(7).fill("success"), ...Array(5).fill("invalid")]);
      assert.equal(
        result.receipts[7]?.invalidReason,
        `the account refused the authorisation (its validation ended in revert: SessionLimitExceeded: session key over its limit: spent 50 + 10 > limit 50 of token ${token.address})`,
      );
    } finally {
      await engine.close();
    }
  });
});
