/**
 * Yield farming from dev account 2: stake 40 of its WETH/WUSD LP tokens in the genesis
 * farm (approve and deposit in one transaction), let a minute pass (dev mode's time
 * travel), read the position and harvest the WFARM it earned, then unstake.
 *
 *   node dist/src/sdk/client/examples/farm.js http://127.0.0.1:8545
 */
import { farm as farmBinding } from "../../../bindings/farm.gen.js";
import { token } from "../../../bindings/token.gen.js";
import { createClient } from "../client.js";
import { getContract } from "../contract.js";
import { decodeLogs } from "../decode.js";
import { devActions } from "../dev.js";
import { formatValue } from "../errors.js";
import {
  farmDepositCalls,
  farmHarvestCalls,
  farmWithdrawCalls,
  getFarmPools,
  getFarmPositions,
} from "../farm.js";
import { getGenesisContracts } from "../genesis.js";
import { http } from "../http.js";
import { formatUnits, parseUnits } from "../units.js";
import { DEFAULT_URL, devAccount, type Print, runIfMain } from "./common.js";

export async function main(url: string = DEFAULT_URL, print: Print = console.log): Promise<void> {
  const client = createClient({ transport: http(url) });
  try {
    const { farm, farmReward, pool } = await getGenesisContracts(client);
    const account = await devAccount(client, 2);
    const [first] = await getFarmPools(client, farm);
    if (first === undefined) throw new Error("the genesis farm has no pool");
    print(
      `pool 0 stakes ${first.lpToken === pool ? "the WETH/WUSD LP token" : first.lpToken}, earning ${formatUnits(first.rewardPerSecond)} WFARM a second`,
    );

    const amount = parseUnits("40");
    const staked = await client.sendAndWait({
      account,
      calls: farmDepositCalls(farm, pool, first.pid, amount),
    });
    for (const event of decodeLogs(staked.logs, [farmBinding.metadata]))
      print(`event ${event.eventName} ${formatValue(event.args)}`);

    // A block a minute later: the stake has earned its share of 60 WFARM.
    const head = await client.getBlock();
    if (head === null) throw new Error("the node has no head block");
    const dev = devActions(client);
    await dev.setNextBlockTimestamp(head.time + 60);
    await dev.mine(1);
    const [position] = await getFarmPositions(client, farm, account.address);
    if (position === undefined) throw new Error("no position after the deposit");
    print(
      `staked ${formatUnits(position.staked)} LP (${(position.share * 100).toFixed(2)}% of the pool), pending ${formatUnits(position.pending)} WFARM after 60 seconds`,
    );

    const reward = getContract({ client, address: farmReward, binding: token });
    const before = await reward.read.balanceOf(account.address);
    const harvested = await client.sendAndWait({ account, calls: farmHarvestCalls(farm, [first.pid]) });
    const gained = (await reward.read.balanceOf(account.address)) - before;
    const event = decodeLogs(harvested.logs, [farmBinding.metadata]).find((e) => e.eventName === "Harvest");
    print(
      `harvested ${formatUnits(gained)} WFARM; the Harvest event says ${formatUnits((event?.args as { amount?: bigint } | undefined)?.amount ?? 0n)}`,
    );

    await client.sendAndWait({ account, calls: farmWithdrawCalls(farm, first.pid, amount) });
    const after = await getFarmPositions(client, farm, account.address);
    print(
      `unstaked: ${after.length === 0 ? "no position left" : `${after.length} position(s) left with pending rewards`}`,
    );
  } finally {
    await client.close();
  }
}

runIfMain(import.meta.url, main);
