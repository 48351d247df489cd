/**
 * Who is blamed for an invalid transaction goes by a code set where the check fails, not by
 * the message's wording (issue 12: `invalidParty` matched messages with regular
 * expressions, so rewording one could move reputation blame). Every code maps to a party,
 * and each check sets its own code: execution (sequential and parallel alike, through the
 * engine's receipt codec) carries it in the receipt.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  INVALID_CODES,
  INVALID_PARTY,
  type InvalidCode,
  invalidParty,
} from "../../../src/chain/invalidCode.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import { MAX_AUTH_BYTES } from "../../../src/chain/tx/envelope.js";
import { MAX_TX_GAS } from "../../../src/vm/limits.js";
import { setupAccounts, signed, transferCall, type User } from "../../helpers/accounts.js";
import { account } from "../../helpers/chain.js";
import { assertSameAsSequential, attachChain, chainEngine } from "../../helpers/parallelChain.js";

const NO_DATA = new Uint8Array(0);

describe("invalid transactions' codes and parties", () => {
  it("every code maps to exactly one party, and the table has no other entries", () => {
    assert.deepEqual(Object.keys(INVALID_PARTY).sort(), [...INVALID_CODES].sort());
    assert.equal(new Set(INVALID_CODES).size, INVALID_CODES.length, "codes are distinct");
    for (const code of INVALID_CODES) {
      assert.ok(["sender", "paymaster", "block"].includes(invalidParty(code)), `${code} has a party`);
    }
    assert.equal(invalidParty("MAX_FEE_BELOW_BASE_FEE"), "block");
    const paymaster = INVALID_CODES.filter((c) => invalidParty(c) === "paymaster");
    assert.deepEqual(paymaster, [
      "PAYMASTER_NOT_CONTRACT",
      "PAYMASTER_CANNOT_PAY",
      "PAYMASTER_REFUSED",
      "PAYMASTER_EXPIRED",
    ]);
  });

  it("each check of an envelope sets its own code, in sequential and parallel blocks alike", async () => {
    const { chain, token, users } = setupAccounts(2);
    const user = users[0] as User;
    const unfunded = chain.deploy("sponsorPaymaster", [10_000_000n]);
    const sponsor = chain.deploy("sponsorPaymaster", [10_000_000n], account(1), new Uint8Array(32).fill(9));
    assert.equal(sponsor.send(account(1), "fund", [], { value: 10n ** 12n }).receipt.status, "success");
    const pay = (address: typeof sponsor.address) => ({ paymaster: { address, data: NO_DATA } });
    chain.setBlock({ baseFee: 1n });
    const transfer = [transferCall(token, account(2), 1n)];
    const cases: Array<[InvalidCode, Transaction]> = [
      ["CHAIN_ID", signed(chain, user, transfer, { chainId: chain.block.chainId + 1n })],
      ["MALFORMED", signed(chain, user, transfer, { authorise: () => new Uint8Array(MAX_AUTH_BYTES + 1) })],
      ["GAS_LIMIT_LOW", signed(chain, user, transfer, { gasLimit: 10n })],
      ["GAS_LIMIT_HIGH", signed(chain, user, transfer, { gasLimit: BigInt(MAX_TX_GAS) + 1n })],
      ["MAX_FEE_BELOW_BASE_FEE", signed(chain, user, transfer, { maxFee: 0n, priorityFee: 0n })],
      ["SENDER_NOT_ACCOUNT", signed(chain, { ...user, address: account(3) }, transfer)],
      ["NONCE", signed(chain, user, transfer, { sequence: 5n })],
      [
        "INSUFFICIENT_FUNDS",
        signed(chain, user, [{ ...(transfer[0] as (typeof transfer)[0]), value: 10n ** 20n }]),
      ],
      ["ACCOUNT_REFUSED", signed(chain, user, transfer, { signer: (users[1] as User).key })],
      ["PAYMASTER_NOT_CONTRACT", signed(chain, user, transfer, pay(account(4)))],
      ["PAYMASTER_CANNOT_PAY", signed(chain, user, transfer, pay(unfunded.address))],
      // The sponsor sponsors no target yet: it refuses.
      ["PAYMASTER_REFUSED", signed(chain, user, transfer, pay(sponsor.address))],
    ];
    const engine = await chainEngine(2);
    try {
      const store = await attachChain(engine, chain);
      const result = await assertSameAsSequential(
        engine,
        store,
        chain.block,
        cases.map(([, tx]) => tx),
      );
      result.receipts.forEach((receipt, i) => {
        const [code] = cases[i] as [InvalidCode, Transaction];
        assert.equal(receipt.status, "invalid", `${code}: invalid`);
        assert.equal(receipt.invalidCode, code, `${code}: ${receipt.invalidReason}`);
      });
    } finally {
      await engine.close();
    }
    // The expiries are set by their own tests: ACCOUNT_EXPIRED in sessionKeys.test.ts,
    // PAYMASTER_EXPIRED in paymaster.test.ts; the Ethereum transactions' own codes
    // (SENDER_HAS_CODE, INITCODE_TOO_LARGE) in evm/ethTxRules.test.ts.
    const covered = new Set<InvalidCode>([
      ...cases.map(([c]) => c),
      "ACCOUNT_EXPIRED",
      "PAYMASTER_EXPIRED",
      "SENDER_HAS_CODE",
      "INITCODE_TOO_LARGE",
    ]);
    assert.deepEqual([...covered].sort(), [...INVALID_CODES].sort(), "every code is produced by some check");
  });
});
