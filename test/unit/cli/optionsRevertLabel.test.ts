/**
 * A revert met by a `weft options` vault call (the check before sending skipped): the put
 * vault's deposit beyond the sender's WUSD is decoded with the vault's own errors first, so
 * it is labelled `TransferFailed (optionVault)`, not the options contract's error of the
 * same name, and explained as "insufficient balance: you hold X WUSD, this needs Y WUSD"
 * (still a revert, exit 4).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { vaultOf } from "../../../src/cli/commands/optionsArgs.js";
import { send, vaultCall } from "../../../src/cli/commands/optionsSend.js";
import type { Context } from "../../../src/cli/context.js";
import { output } from "../../../src/cli/output.js";
import { TransactionRevertedError, vaultDepositCalls } from "../../../src/sdk/client/index.js";
import { useNodeProcess } from "../../helpers/nodeProcess.js";

describe("weft options: a vault's revert", () => {
  const fixture = useNodeProcess("weft-options-label-");

  it("is labelled by the vault and says what the balance lacks", async () => {
    const { node, client } = fixture;
    const ctx: Context = { client, out: output(false), options: { rpc: node.url, json: false } };
    const puts = await vaultOf(ctx, "puts");
    const huge = 10n ** 30n;
    const error = await send(
      ctx,
      { from: "dev1" },
      vaultDepositCalls(puts, huge),
      vaultCall("deposit"),
      () => "",
    ).then(
      () => assert.fail("a deposit beyond the balance must revert"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof TransactionRevertedError, String(error));
    assert.match(error.message, /^insufficient balance: you hold [\d.]+ WUSD, this needs [\d.]+ WUSD/);
    assert.ok(
      error.details.some((d) => d === "error: TransferFailed (optionVault)"),
      error.details.join("\n"),
    );
  });
});
