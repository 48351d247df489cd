/** What the staking contract says of a validator, read through a node's RPC (`weft validator list`'s view calls). */

import { readValidators } from "../../../src/cli/validatorList.js";
import type { Address } from "../../../src/codec/address.js";
import { devAccountAddress } from "../../../src/node/genesis/genesis.js";
import { createClient, http } from "../../../src/sdk/client/index.js";
import { patiently, rpcBatch } from "./chainView.js";
import type { ClusterNode } from "./cluster.js";

export interface Slashing {
  stake: bigint;
  tombstoned: boolean;
  jailedUntil: bigint;
}

/**
 * Validator `index` of a `weft genesis new` network (its operator is development account `index`).
 * A read that times out is asked again (`patiently`, up to 120 s): a node catching up on full
 * blocks at load ~45 held its main thread 11 s and answered these view calls after 30 s, which
 * failed the restart-all test before its fault began though no invariant was broken.
 */
export function slashingOf(node: ClusterNode, index: number): Promise<Slashing> {
  return patiently(() => readSlashing(node, index));
}

async function readSlashing(node: ClusterNode, index: number): Promise<Slashing> {
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
