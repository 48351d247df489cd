/** The typed TypeScript bindings the contract build generates (src/bindings/*.gen.ts). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { token } from "../../../src/bindings/token.gen.js";
import { decodeEvent } from "../../../src/codec/metadata.js";
import { account } from "../../helpers/chain.js";
import { TestChain } from "../../helpers/contracts.js";

describe("generated contract bindings", () => {
  it("encode typed arguments and decode typed results against the deployed contract", () => {
    const chain = new TestChain(3);
    const deployed = chain.deploy("token", ["Bound", "BND", 6, 1_000n, account(1)]);
    const call = (method: string, args: Uint8Array) =>
      chain.runOne({
        kind: "call",
        from: account(1),
        to: deployed.address,
        method,
        args,
        value: 0n,
        gasLimit: 1_000_000,
        gasPrice: 1n,
      });
    const sent = call("transfer", token.transfer.encode(account(2), 250n));
    assert.equal(token.transfer.decode(sent.output), true);
    assert.deepEqual(decodeEvent(token.metadata, sent.events[0] as never), {
      name: "Transfer",
      args: { from: account(1), to: account(2), amount: 250n },
    });
    assert.equal(token.balanceOf.decode(call("balanceOf", token.balanceOf.encode(account(2))).output), 250n);
    assert.equal(token.symbol.decode(call("symbol", token.symbol.encode()).output), "BND");
    assert.deepEqual(token.init.encode("Bound", "BND", 6n, 1_000n, account(1)).length > 0, true);
  });
});
