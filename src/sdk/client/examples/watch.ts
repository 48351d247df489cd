/**
 * Subscriptions over WebSocket: new blocks, WUSD `Transfer` logs and admitted transactions,
 * while dev account 2 sends two transfers; stops once both are seen (or after 10 s).
 *
 *   node dist/src/sdk/client/examples/watch.js http://127.0.0.1:8545
 */
import { token } from "../../../bindings/token.gen.js";
import { createClient } from "../client.js";
import { getContract } from "../contract.js";
import { getGenesisContracts } from "../genesis.js";
import type { Hex } from "../types.js";
import { formatUnits, parseUnits } from "../units.js";
import { webSocket } from "../webSocket.js";
import { DEFAULT_URL, devAccount, type Print, runIfMain, someAddress, webSocketUrl } from "./common.js";

export async function main(url: string = DEFAULT_URL, print: Print = console.log): Promise<void> {
  const client = createClient({ transport: webSocket(webSocketUrl(url)) });
  try {
    const contracts = await getGenesisContracts(client);
    const account = await devAccount(client, 2);
    const wusd = getContract({ client, address: contracts.wusd, binding: token });
    const to = someAddress(0xa7c);
    const seen = new Set<Hex>();
    let done: () => void = () => {};
    const allSeen = new Promise<void>((resolve) => {
      done = resolve;
    });

    const unwatchBlocks = await client.watchBlocks((block) =>
      print(
        `block ${block.number}: ${block.txCount} transactions, state root ${block.stateRoot.slice(0, 18)}…`,
      ),
    );
    const unwatchPending = await client.watchPendingTransactions((hash) => print(`admitted ${hash}`));
    const unwatchTransfers = await wusd.watch(
      "Transfer",
      (event) => {
        print(
          `Transfer of ${formatUnits(event.args.amount as bigint)} WUSD in block ${event.log.blockNumber}`,
        );
        seen.add(event.log.txHash);
        if (seen.size >= 2) done();
      },
      { args: { to } }, // only transfers to this address (an indexed argument)
    );

    const hashes = [
      await client.sendTransaction({ account, calls: [wusd.calls.transfer(to, parseUnits("1"))] }),
      await client.sendTransaction({ account, calls: [wusd.calls.transfer(to, parseUnits("2"))] }),
    ];
    print(`sent ${hashes.join(", ")}`);
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 10_000).unref());
    await Promise.race([allSeen, timeout]);
    print(`saw ${seen.size} of ${hashes.length} transfers`);
    await Promise.all([unwatchBlocks(), unwatchPending(), unwatchTransfers()]);
    if (seen.size < hashes.length) throw new Error("not every transfer was seen");
  } finally {
    await client.close();
  }
}

runIfMain(import.meta.url, main);
