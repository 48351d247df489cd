/** What the staking contract says of a validator, read through a node's RPC (`weft validator list`'s view calls). */

import { readValidators } from "../../../src/cli/validatorList.js";
import type { Address } from "../../../src/codec/address.js";
import { devAccountAddress } from "../../../src/node/genesis/genesis.js";
import { createClient, http } from "../../../src/sdk/client/index.js";
import { rpcBatch } from "./chainView.js";
import type { ClusterNode } from "./cluster.js";

export interface Slashing {
  stake: bigint;
  tombstoned: boolean;
  jailedUntil: bigint;
}

/**
 * Validator `index` of a `weft genesis new` network (its operator is development account `index`).
 * One read, not retried: a node busy with full blocks still answers (its block work gives the
 * event loop turns: `buildBlock.ts`, `engine/sequential.ts` `executeSequentialSliced`).
 */
export async function slashingOf(node: ClusterNode, index: number): Promise<Slashing> {
  const [genesis] = await rpcBatch<{ contracts: Record<string, Address> }>(node.url, [["weft_genesis", []]]);
  const client = createClient({ transport: http(node.url) });
  try {
    const rows = await readValidators(client, genesis?.contracts.staking as Address);
    const row = rows.find((r) => r.address === devAccountAddress(index));
    if (row === undefined) throw new Error(`validator ${index} is not in the staking contract's list`);
    return { stake: row.stake, tombstoned: row.tombstoned, jailedUntil: row.jailedUntil };
  } finally {
    await client.close();
  }
}
