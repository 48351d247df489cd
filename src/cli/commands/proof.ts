/** `weft proof`: fetch a state value with its Merkle proof and verify it locally against the block. */
import type { Command } from "commander";
import type { Address } from "../../codec/address.js";
import { getVerifiedStorage, getVerifiedValue } from "../../sdk/client/index.js";
import { contextOf } from "../context.js";
import { UsageError } from "../output.js";

export function addProofCommand(program: Command): void {
  program
    .command("proof <target>")
    .description(
      "print a state value proven against the head's state root: an address's coin balance, a contract's storage slot (--slot), or any raw state key (--key)",
    )
    .option("--slot <hex>", "a storage slot of the contract at <target> (its raw key, 0x hex)")
    .option("--key", "<target> is a raw state key (hex)")
    .action(async (targetText: string, opts: { slot?: string; key?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      let verified: Awaited<ReturnType<typeof getVerifiedValue>>;
      if (opts.key === true) verified = await getVerifiedValue(ctx.client, targetText.replace(/^0x/, ""));
      else {
        if (!/^0x[0-9a-fA-F]{40}$/.test(targetText))
          throw new UsageError(`expected an address, got ${targetText}`);
        const address = targetText.toLowerCase() as Address;
        verified =
          opts.slot === undefined
            ? await getVerifiedValue(ctx.client, `01${address.slice(2)}`)
            : await getVerifiedStorage(ctx.client, address, opts.slot as `0x${string}`);
      }
      const value = verified.value === undefined ? null : `0x${Buffer.from(verified.value).toString("hex")}`;
      ctx.out.result({ ...verified, value, verified: true }, () => [
        `key          ${verified.key}`,
        `value        ${value ?? "(absent: proven absent)"}`,
        `block        ${verified.blockNumber}${verified.blockHash ? ` (${verified.blockHash})` : ""}`,
        `state root   ${verified.stateRoot}`,
        "verified     yes: the Merkle proof matches the state root, and the root the block header",
      ]);
    });
}
