/**
 * A WETH → WUSD swap from dev account 1: quote with the router's `getAmountsOut` (and the
 * same quote computed from the pool's reserves), then approve and swap in one atomic
 * transaction of two calls.
 *
 *   node dist/src/sdk/client/examples/swap.js http://127.0.0.1:8545
 */
import { pair } from "../../../bindings/pair.gen.js";
import { router } from "../../../bindings/router.gen.js";
import { token } from "../../../bindings/token.gen.js";
import { createClient } from "../client.js";
import { getContract } from "../contract.js";
import { decodeLogs } from "../decode.js";
import { quoteExactIn, withSlippage } from "../defi.js";
import { formatValue } from "../errors.js";
import { getGenesisContracts } from "../genesis.js";
import { http } from "../http.js";
import { formatUnits, parseUnits } from "../units.js";
import { DEFAULT_URL, devAccount, type Print, runIfMain } from "./common.js";

export async function main(url: string = DEFAULT_URL, print: Print = console.log): Promise<void> {
  const client = createClient({ transport: http(url) });
  try {
    const contracts = await getGenesisContracts(client);
    const { weth, wusd } = contracts;
    const account = await devAccount(client, 1);
    const amm = getContract({ client, address: contracts.router, binding: router });
    const wethToken = getContract({ client, address: weth, binding: token });
    const wusdToken = getContract({ client, address: wusd, binding: token });

    const amountIn = parseUnits("1");
    const amounts = await amm.read.getAmountsOut(amountIn, [weth, wusd]);
    const quote = await quoteExactIn(client, {
      factory: contracts.factory,
      tokenIn: weth,
      tokenOut: wusd,
      amountIn,
    });
    print(`router quote: 1 WETH → ${formatUnits(amounts[1] ?? 0n)} WUSD`);
    print(
      `from reserves: ${formatUnits(quote.amountOut)} WUSD (spot ${quote.spotPrice.toFixed(2)}, impact ${(quote.priceImpact * 100).toFixed(3)}%)`,
    );

    const before = await wusdToken.read.balanceOf(account.address);
    const deadline = BigInt(Math.floor(Date.now() / 1000) + 600);
    const receipt = await client.sendAndWait({
      account,
      calls: [
        wethToken.calls.approve(amm.address, amountIn),
        amm.calls.swapExactTokensForTokens(
          amountIn,
          withSlippage(quote.amountOut, 50),
          [weth, wusd],
          account.address,
          deadline,
        ),
      ],
    });
    for (const event of decodeLogs(receipt.logs, [pair.metadata, token.metadata]))
      print(`event ${event.eventName} ${formatValue(event.args)}`);
    const gained = (await wusdToken.read.balanceOf(account.address)) - before;
    print(`swapped in block ${receipt.blockNumber}: received ${formatUnits(gained)} WUSD`);
  } finally {
    await client.close();
  }
}

runIfMain(import.meta.url, main);
