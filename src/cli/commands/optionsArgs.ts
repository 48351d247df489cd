/**
 * What `weft options` reads from its arguments and the chain before it sends anything: the
 * options contract and vault an argument names (checked to be one), a series id (checked
 * against the contract's count), and the tokens' symbols and decimals for amounts.
 */

import { token as tokenBinding } from "../../bindings/token.gen.js";
import type { Address } from "../../codec/address.js";
import {
  getContract,
  getVaultInfo,
  seriesCount,
  TransportError,
  type VaultInfo,
  WeftClientError,
} from "../../sdk/client/index.js";
import { formatUnits } from "../../sdk/client/units.js";
import type { Context } from "../context.js";
import { UsageError } from "../output.js";
import { addressOf } from "./farm.js";

/** Decimals past this are refused: no token the CLI shows has them, and formatting would be absurd. */
const MAX_DECIMALS = 36;

/** Short names of the dev genesis's vaults. */
const VAULT_NAMES = new Map([
  ["calls", "coveredCallVault"],
  ["puts", "putVault"],
  ["coveredcallvault", "coveredCallVault"],
  ["putvault", "putVault"],
]);

export interface TokenLabel {
  address: Address;
  symbol: string;
  decimals: number;
}

async function genesisContract(ctx: Context, name: string, flag: string): Promise<Address> {
  const address = (await ctx.client.genesis()).contracts[name];
  if (address === undefined)
    throw new UsageError(`this chain's genesis has no ${name}: pass ${flag} <address>`);
  return address as Address;
}

/** `--options <address>`, else the genesis options contract. */
export async function optionsAddress(ctx: Context, option: string | undefined): Promise<Address> {
  return option === undefined ? genesisContract(ctx, "options", "--options") : addressOf(option, "--options");
}

/** Reads on a contract that is not what the argument says fail; turn that into bad usage (network faults stay). */
export async function expecting<T>(what: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof TransportError || !(error instanceof WeftClientError)) throw error;
    throw new UsageError(`${what}`, [error.message.split("\n")[0] ?? ""]);
  }
}

/** The vault `text` names (`calls`, `puts`, a genesis name or an address), checked to be an option vault. */
export async function vaultOf(ctx: Context, text: string): Promise<VaultInfo> {
  const name = VAULT_NAMES.get(text.toLowerCase());
  const address =
    name !== undefined ? await genesisContract(ctx, name, "an address") : addressOf(text, "vault");
  return expecting(`${address} is not an option vault (vaults: calls, puts or an address)`, () =>
    getVaultInfo(ctx.client, address),
  );
}

/** A series id: decimal digits, below the contract's count. */
export async function seriesOf(ctx: Context, options: Address, text: string): Promise<bigint> {
  if (!/^\d{1,19}$/.test(text))
    throw new UsageError(`series: expected a series number (0, 1, ...), got ${JSON.stringify(text)}`);
  const id = BigInt(text);
  const count = await expecting(`${options} is not an options contract`, () =>
    seriesCount(ctx.client, options),
  );
  if (id >= count)
    throw new UsageError(
      `series ${id}: the options contract ${options} has ${count} series (0 to ${count - 1n})`,
      ["list them with: weft options series"],
    );
  return id;
}

/**
 * A token's symbol (printable ASCII, at most 16 characters: a hostile token cannot write to
 * the terminal) and decimals (refused past 36); a token that does not answer shows as its
 * address with 18 decimals.
 */
export async function tokenLabel(ctx: Context, address: Address): Promise<TokenLabel> {
  const t = getContract({ client: ctx.client, address, binding: tokenBinding });
  const [symbol, decimals] = await Promise.all([
    t.read.symbol().catch(() => address.slice(0, 10)),
    t.read.decimals().catch(() => 18),
  ]);
  const d = Number(decimals);
  if (!Number.isInteger(d) || d < 0 || d > MAX_DECIMALS)
    throw new UsageError(
      `token ${address} claims ${decimals} decimals: at most ${MAX_DECIMALS} are supported`,
    );
  return {
    address,
    symbol: String(symbol)
      .replace(/[^\x20-\x7e]/g, "?")
      .slice(0, 16),
    decimals: d,
  };
}

/** Refuses (exit 2) an account holding less than `need` of `token` for `what` ("the deposit", "the premium"...). */
export async function checkHolds(
  ctx: Context,
  token: TokenLabel,
  account: Address,
  need: bigint,
  what: string,
): Promise<void> {
  const held = await getContract({
    client: ctx.client,
    address: token.address,
    binding: tokenBinding,
  }).read.balanceOf(account);
  if (held < need)
    throw new UsageError(
      `insufficient balance: ${account} holds ${formatUnits(held, token.decimals)} ${token.symbol}; ${what} needs ${formatUnits(need, token.decimals)} ${token.symbol}`,
    );
}
