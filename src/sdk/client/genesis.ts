/** The contracts a development chain deploys at genesis (`weft_genesis`), by name. */
import type { WeftClient } from "./client.js";
import type { Address } from "./types.js";

export const GENESIS_CONTRACTS = [
  "wusd",
  "weth",
  "factory",
  "router",
  "pool",
  "oracle",
  "lending",
  "staking",
  "accountFactory",
  "sponsorPaymaster",
  "tokenPaymaster",
  "farmReward",
  "farm",
  "heroes",
  "gold",
  "game",
  "optionsOracle",
  "options",
  "coveredCallVault",
  "putVault",
  "saleToken",
  "sale",
  "vesting",
  "airdrop",
] as const;

export type GenesisContractName = (typeof GENESIS_CONTRACTS)[number];
export type GenesisContracts = Record<GenesisContractName, Address>;

/** Every genesis contract's address; throws if the chain lacks one (not a `weft node` dev chain). */
export async function getGenesisContracts(client: WeftClient): Promise<GenesisContracts> {
  const { contracts } = await client.genesis();
  const out: Partial<GenesisContracts> = {};
  for (const name of GENESIS_CONTRACTS) {
    const address = contracts[name];
    if (address === undefined) throw new RangeError(`weft_genesis lists no contract "${name}"`);
    out[name] = address;
  }
  return out as GenesisContracts;
}
