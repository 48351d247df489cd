/**
 * Options (docs/options.md) on the dev genesis: read the covered-call vault's round, price
 * its calls with Black–Scholes, buy 5 from dev account 2 at the vault's premium, move the
 * clock to the Friday expiry, post WETH at 2,750 WUSD from dev account 0 (the options
 * oracle's owner), close the round (anyone may) and exercise the calls.
 *
 *   node dist/src/sdk/client/examples/options.js http://127.0.0.1:8545
 */

import { options as optionsBinding } from "../../../bindings/options.gen.js";
import { optionVault as vaultBinding } from "../../../bindings/optionVault.gen.js";
import { oracle as oracleBinding } from "../../../bindings/oracle.gen.js";
import { encodeCall } from "../../../codec/metadata.js";
import { createClient } from "../client.js";
import { getContract } from "../contract.js";
import { decodeLogs } from "../decode.js";
import { devActions } from "../dev.js";
import { formatValue } from "../errors.js";
import { getGenesisContracts } from "../genesis.js";
import { http } from "../http.js";
import {
  getVaultRound,
  optionsExerciseCalls,
  vaultBuyCalls,
  vaultCost,
  vaultPremiumRate,
} from "../options.js";
import { formatUnits, parseUnits } from "../units.js";
import { DEFAULT_URL, devAccount, type Print, runIfMain } from "./common.js";

export async function main(url: string = DEFAULT_URL, print: Print = console.log): Promise<void> {
  const client = createClient({ transport: http(url) });
  try {
    const { coveredCallVault, optionsOracle, weth, wusd } = await getGenesisContracts(client);
    const round = await getVaultRound(client, coveredCallVault);
    print(
      `round ${round.round}: ${formatUnits(round.unsold)} WETH of calls at ${formatUnits(round.strike)} WUSD, expiring ${new Date(Number(round.expiry) * 1000).toISOString()}`,
    );
    const oracle = getContract({ client, address: optionsOracle, binding: oracleBinding });
    const spot = ((await oracle.read.getPrice(weth)) * 10n ** 18n) / (await oracle.read.getPrice(wusd));
    const head = await client.getBlock();
    if (head === null) throw new Error("the node has no head block");
    const fair = vaultPremiumRate({
      isPut: false,
      spot,
      strike: round.strike,
      now: BigInt(head.time),
      expiry: round.expiry,
      volatility: 0.8,
    });
    print(
      `Black–Scholes at 80% volatility: ${formatUnits(fair)} WETH a call; the vault asks ${formatUnits(round.premium)}`,
    );

    const buyer = await devAccount(client, 2);
    const amount = parseUnits("5");
    const bought = await client.sendAndWait({ account: buyer, calls: vaultBuyCalls(round, amount) });
    for (const event of decodeLogs(bought.logs, [vaultBinding.metadata]))
      print(`event ${event.eventName} ${formatValue(event.args)}`);
    print(`paid ${formatUnits(vaultCost(round, amount))} WETH for 5 calls`);

    // At the expiry, the oracle's owner posts the price the series settles at.
    const dev = devActions(client);
    await dev.setNextBlockTimestamp(Number(round.expiry));
    const owner = await devAccount(client, 0);
    const price = parseUnits("2750");
    await client.sendAndWait({
      account: owner,
      calls: [
        {
          target: optionsOracle,
          method: "setPrice",
          args: encodeCall(oracleBinding.metadata, "setPrice", [weth, price]),
        },
      ],
    });
    const closed = await client.sendAndWait({
      account: buyer,
      calls: [
        {
          target: coveredCallVault,
          method: "closeRound",
          args: encodeCall(vaultBinding.metadata, "closeRound", []),
        },
      ],
    });
    for (const event of decodeLogs(closed.logs, [vaultBinding.metadata, optionsBinding.metadata]))
      if (event.eventName === "Settled" || event.eventName === "RoundClosed")
        print(`event ${event.eventName} ${formatValue(event.args)}`);

    const exercised = await client.sendAndWait({
      account: buyer,
      calls: optionsExerciseCalls(round.options, round.seriesId, amount),
    });
    const payout = decodeLogs(exercised.logs, [optionsBinding.metadata]).find(
      (e) => e.eventName === "Exercised",
    );
    print(
      `exercised 5 calls: paid ${formatUnits((payout?.args as { payout?: bigint } | undefined)?.payout ?? 0n)} WETH`,
    );
    const next = await getVaultRound(client, coveredCallVault);
    print(`round ${round.round} closed at ${formatUnits(next.lastPricePerShare)} WETH a share`);
  } finally {
    await client.close();
  }
}

runIfMain(import.meta.url, main);
