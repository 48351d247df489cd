/**
 * Accounts as the DeFi commands name them: `devN` (a development account of the genesis),
 * `ethN` (an Ethereum development account of the test mnemonic) or an address; and the
 * signing options those commands share with `weft tx`.
 */
import type { Command } from "commander";
import type { Address } from "../codec/address.js";
import type { Context } from "./context.js";
import { ethDevAccount } from "./ethDev.js";
import { UsageError } from "./output.js";

/** The address `text` names: devN, ethN or 0x + 40 hex digits. */
export async function accountOf(ctx: Context, text: string, what = "account"): Promise<Address> {
  const eth = ethDevAccount(text);
  if (eth !== undefined) return eth.address.toLowerCase() as Address;
  const dev = /^dev(\d+)$/.exec(text);
  if (dev !== null) {
    const accounts = (await ctx.client.genesis()).accounts;
    const entry = accounts[Number(dev[1])];
    if (entry === undefined)
      throw new UsageError(
        `${what}: this chain has ${accounts.length} development accounts; ${text} is not one`,
      );
    return entry.address.toLowerCase() as Address;
  }
  if (!/^0x[0-9a-fA-F]{40}$/.test(text))
    throw new UsageError(
      `${what}: expected devN, ethN or an address (0x + 40 hex digits), got ${JSON.stringify(text)}`,
    );
  return text.toLowerCase() as Address;
}

/** `--from`, `--private-key-env` and `--account`: who signs. */
export function signerOptions(cmd: Command): Command {
  return cmd
    .option("--from <who>", "who signs: devN (a development account) or a keystore key's name")
    .option("--private-key-env <VAR>", "who signs: the private key (hex) held in environment variable VAR")
    .option("--account <address>", "with a key from the environment: the account it controls");
}
