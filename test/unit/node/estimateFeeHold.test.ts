/**
 * `weft_estimateGas` without `auth` ran the calls without the fee hold that execution applies
 * before them (`executeEnvelope`'s prefund): a paymaster's owner estimating a withdrawal of the
 * paymaster's whole balance, sponsored by that paymaster, got an estimate, and the transaction
 * it described reverted (the coin the withdrawal took was held for the fee). The estimate now
 * holds the fee of a given gas limit before the calls, and without a limit checks the payer
 * still covers the answer's limit after them: both are refused, as the receipt says.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evmFromWasm } from "../../../src/chain/evmFromWasm.js";
import {
  type EstimateJob,
  executeReadOnly,
  type ReadOnlyContext,
} from "../../../src/node/readOnly/execute.js";
import { MAX_TX_GAS } from "../../../src/vm/limits.js";
import { createVm } from "../../../src/vm/vm.js";
import { signed, sponsoredWithdrawal } from "../../helpers/accounts.js";

function estimateSetUp() {
  const { chain, user, calls, paymaster } = sponsoredWithdrawal();
  const ctx: ReadOnlyContext = {
    vm: createVm({ evm: evmFromWasm }),
    read: (key) => chain.state.get(key),
    block: chain.block,
    gasCap: MAX_TX_GAS,
  };
  const envelope = (gasLimit: bigint): EstimateJob["envelope"] => ({
    chainId: chain.block.chainId,
    sender: user.address,
    nonceKey: 0n,
    gasLimit,
    maxFee: 2n,
    priorityFee: 1n,
    calls,
    paymaster,
    auth: new Uint8Array(64),
  });
  return { chain, user, calls, paymaster, ctx, envelope };
}

describe("weft_estimateGas without auth holds the fee as execution does", () => {
  it("a sponsored withdrawal of the sponsor's whole balance: the estimate is refused as the transaction reverts", () => {
    const { chain, user, calls, paymaster, ctx, envelope } = estimateSetUp();
    const given = executeReadOnly(ctx, {
      kind: "estimate",
      envelope: envelope(3_000_000n),
      withAuth: false,
      gasLimitGiven: true,
    });
    const omitted = executeReadOnly(ctx, {
      kind: "estimate",
      envelope: envelope(BigInt(MAX_TX_GAS)),
      withAuth: false,
      gasLimitGiven: false,
    });
    const receipt = chain.runOne(signed(chain, user, calls, { paymaster, gasLimit: 3_000_000n }));
    assert.equal(receipt.status, "revert", "execution: the withdrawal of the coin held for the fee fails");
    // Before: both estimates answered { ok: true } with a gas figure.
    assert.equal(given.ok, false, `with a gas limit: ${JSON.stringify(given)}`);
    assert.match(given.ok ? "" : given.error.message, /withdraw fails: revert/);
    assert.equal(omitted.ok, false, `without a gas limit: ${JSON.stringify(omitted)}`);
    assert.match(
      omitted.ok ? "" : omitted.error.message,
      /fee payer 0x[0-9a-f]+ cannot pay: the calls leave it 0 of 100000000/,
    );
  });

  it("a sponsored call the sponsor covers: the estimate answers, and the transaction at its limit succeeds", () => {
    const { chain, user, calls, paymaster, ctx, envelope } = estimateSetUp();
    const accept = calls.slice(0, 1);
    const out = executeReadOnly(ctx, {
      kind: "estimate",
      envelope: { ...envelope(3_000_000n), calls: accept },
      withAuth: false,
      gasLimitGiven: true,
    });
    assert.equal(out.ok, true, JSON.stringify(out));
    const limit = out.ok ? (out.result as { gasLimit: number }).gasLimit : 0;
    const receipt = chain.runOne(signed(chain, user, accept, { paymaster, gasLimit: BigInt(limit) }));
    assert.equal(receipt.status, "success");
  });
});
