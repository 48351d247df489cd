/** What the `weft validator …` commands share: who signs, which staking contract, a validator's address. */
import type { Command } from "commander";
import type { Address } from "../codec/address.js";
import { signerOptions } from "./accountNames.js";
import type { Context, SignerOptions } from "./context.js";
import { UsageError } from "./output.js";

const ADDRESS_RE = /^0x[0-9a-f]{40}$/;

/** `--from`, `--private-key-env`, `--account` (who signs) and `--staking`. */
export function signer(cmd: Command): Command {
  return signerOptions(cmd).option(
    "--staking <address>",
    "the staking contract (default: the genesis's staking contract)",
  );
}

export type StakingOptions = SignerOptions & { staking?: string };

/** `--staking`, else the genesis's staking contract. */
export async function stakingAddress(ctx: Context, opts: { staking?: string }): Promise<Address> {
  if (opts.staking !== undefined) return validatorAddress(opts.staking, "--staking");
  const address = (await ctx.client.genesis()).contracts.staking;
  if (address === undefined)
    throw new UsageError("this chain's genesis has no staking contract: pass --staking <address>");
  return address as Address;
}

export function validatorAddress(text: string, what = "validator"): Address {
  const lower = text.toLowerCase();
  if (!ADDRESS_RE.test(lower))
    throw new UsageError(`${what}: expected an address (0x + 40 hex digits), got ${JSON.stringify(text)}`);
  return lower as Address;
}
