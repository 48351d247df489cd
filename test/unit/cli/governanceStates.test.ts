/**
 * The governor's `UnexpectedProposalState` for people: its `expected` bit mask as the states'
 * names, and a refusal rewritten with them (weft gov's explainGovernorRevert).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { explainGovernorRevert, statesOf } from "../../../src/cli/commands/governanceChecks.js";
import { TransactionRevertedError } from "../../../src/sdk/client/index.js";

describe("weft gov: proposal states by name", () => {
  it("names the states of a bit mask", () => {
    assert.equal(statesOf(0n), "none (the proposal must not exist yet)");
    assert.equal(statesOf(1n << 1n), "Active");
    assert.equal(statesOf((1n << 0n) | (1n << 1n) | (1n << 5n)), "Pending, Active or Queued");
  });

  it("rewrites UnexpectedProposalState with state names and the next step", () => {
    const raw = new TransactionRevertedError({
      status: "revert",
      phase: "estimate",
      output: "0x",
      revert: { name: "UnexpectedProposalState", args: { id: "0x01", current: 0n, expected: 2n } },
    });
    const explained = explainGovernorRevert(raw, "p.json") as TransactionRevertedError;
    assert.ok(explained instanceof TransactionRevertedError);
    assert.deepEqual(explained.revert?.args, { id: "0x01", current: "Pending", expected: "Active" });
    assert.ok(explained.details.includes("  current: Pending"), explained.details.join("\n"));
    assert.ok(explained.details.some((d) => d.includes("weft gov wait p.json")));
    const other = new Error("x");
    assert.equal(explainGovernorRevert(other, "p.json"), other);
  });
});
