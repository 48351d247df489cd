/**
 * A WUSD transfer from dev account 0: read balances, send with `write`, wait for the
 * receipt, decode its event.
 *
 *   node dist/src/sdk/client/examples/transfer.js http://127.0.0.1:8545
 */
import { token } from "../../../bindings/token.gen.js";
import { createClient } from "../client.js";
import { getContract } from "../contract.js";
import { formatValue } from "../errors.js";
import { getGenesisContracts } from "../genesis.js";
import { http } from "../http.js";
import { formatUnits, parseUnits } from "../units.js";
import { DEFAULT_URL, devAccount, type Print, runIfMain, someAddress } from "./common.js";

export async function main(url: string = DEFAULT_URL, print: Print = console.log): Promise<void> {
  const client = createClient({ transport: http(url) });
  try {
    const contracts = await getGenesisContracts(client);
    const account = await devAccount(client, 0);
    const wusd = getContract({ client, address: contracts.wusd, binding: token });
    const to = someAddress(0xb0b);

    const before = await wusd.read.balanceOf(account.address);
    print(`sender ${account.address} holds ${formatUnits(before)} WUSD`);

    const receipt = await wusd.write.transfer(account, [to, parseUnits("12.5")]);
    print(
      `included in block ${receipt.blockNumber}: ${receipt.status}, gas ${receipt.gasUsed}, fee ${receipt.fee}`,
    );
    for (const log of receipt.logs) {
      const event = wusd.events.decode(log);
      if (event !== null) print(`event ${event.eventName} ${formatValue(event.args)}`);
    }
    print(`recipient ${to} holds ${formatUnits(await wusd.read.balanceOf(to))} WUSD`);
  } finally {
    await client.close();
  }
}

runIfMain(import.meta.url, main);
