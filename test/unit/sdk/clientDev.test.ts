/** The client's dev-mode helpers (`devActions`) against a started `weft node` in dev mode. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { devActions } from "../../../src/sdk/client/index.js";
import { useNodeProcess } from "../../helpers/nodeProcess.js";

const TO: Address = "0x00000000000000000000000000000000000000c2";

describe("client dev actions", () => {
  const fixture = useNodeProcess("weft-client-dev-");

  it("snapshots, edits, moves time, impersonates and reverts", async () => {
    const { client } = fixture;
    const dev = devActions(client);
    const { accounts, contracts } = await client.genesis();
    const start = await client.getBlock();
    const id = await dev.snapshot();
    const edit = await dev.setBalance(TO, 5n * 10n ** 18n);
    assert.equal(await client.getBalance(TO), 5n * 10n ** 18n);
    assert.equal(edit.number, (start?.number ?? 0) + 1);
    await dev.increaseTime(86_400);
    const mined = await dev.mine(2);
    assert.equal(mined.to - mined.from, 1);
    const later = await client.getBlock();
    assert.ok((later?.time ?? 0) >= (start?.time ?? 0) + 86_400);

    const from = accounts[3]?.address as Address;
    assert.equal(await dev.impersonate(from), true);
    const sent = await dev.sendImpersonated({
      from,
      calls: [
        {
          target: contracts.wusd as Address,
          method: "transfer",
          args: encodeAbi(["address", "u128"], [TO, 9n]),
        },
      ],
    });
    assert.equal(sent.status, "success");
    const history = await dev.accountTransactions(from, { limit: 1 });
    assert.equal(history.transactions[0]?.hash, sent.hash);

    assert.equal(await dev.revert(id), true);
    assert.equal(await client.getBalance(TO), 0n);
    assert.equal((await client.getBlock())?.hash, start?.hash);
    assert.deepEqual((await dev.accountTransactions(from)).transactions, []);
  });
});
