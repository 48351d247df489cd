/** Test setup for the option vaults: a covered-call vault and a cash-secured-put vault over WETH/WUSD. */
import type { Address } from "../../src/codec/address.js";
import { account } from "./chain.js";
import type { Contract } from "./contracts.js";
import { E18, type OptionsSetup, optionsSetup } from "./options.js";

export const manager = account(2);
export const VAULT_OTM_BPS = 1_000n;
export const VAULT_STEP = 100n * E18;
export const PREMIUM_MIN = E18 / 1_000n;
export const PREMIUM_MAX = E18 / 5n;

export interface VaultSetup extends OptionsSetup {
  callVault: Contract;
  putVault: Contract;
  /** The next Friday 08:00 UTC strictly after `time`, found by walking the calendar. */
  nextFriday(time: bigint): bigint;
}

export function vaultSetup(accounts = 12): VaultSetup {
  const o = optionsSetup(accounts);
  o.price(2_000n * E18);
  const vault = (put: boolean) =>
    o.chain.deploy(
      "optionVault",
      [o.options.address, o.weth.address, put, manager, VAULT_OTM_BPS, VAULT_STEP, PREMIUM_MIN, PREMIUM_MAX],
      manager,
    );
  return { ...o, callVault: vault(false), putVault: vault(true), nextFriday };
}

export function nextFriday(time: bigint): bigint {
  const hour = 3_600n;
  let t = ((time + hour) / hour) * hour; // the next whole hour after `time`
  for (;;) {
    const d = new Date(Number(t) * 1000);
    if (d.getUTCDay() === 5 && d.getUTCHours() === 8) return t;
    t += hour;
  }
}

/** Funds `who` and approves the vault and the options contract for both tokens. */
export function fundFor(s: VaultSetup, who: Address, vault: Contract): void {
  s.fund(who, vault.address);
  for (const token of [s.weth, s.wusd]) token.send(who, "approve", [s.options.address, (1n << 128n) - 1n]);
}
