/**
 * A sponsored transaction: a new account at a counterfactual address (created through the
 * account factory, holding WUSD but no coin at all) sends WUSD, and the sponsoring
 * paymaster pays the fee.
 *
 *   node dist/src/sdk/client/examples/sponsored.js http://127.0.0.1:8545
 */
import { randomBytes } from "node:crypto";
import { sponsorPaymaster } from "../../../bindings/sponsorPaymaster.gen.js";
import { token } from "../../../bindings/token.gen.js";
import { ed25519Account } from "../accounts.js";
import { createClient } from "../client.js";
import { getContract } from "../contract.js";
import { counterfactualAddress, createAccountCall } from "../counterfactual.js";
import { decodeLogs } from "../decode.js";
import { formatValue } from "../errors.js";
import { getGenesisContracts } from "../genesis.js";
import { http } from "../http.js";
import { formatUnits, parseUnits } from "../units.js";
import { DEFAULT_URL, devAccount, type Print, runIfMain } from "./common.js";

export async function main(url: string = DEFAULT_URL, print: Print = console.log): Promise<void> {
  const client = createClient({ transport: http(url) });
  try {
    const contracts = await getGenesisContracts(client);
    const funder = await devAccount(client, 0);
    const wusd = getContract({ client, address: contracts.wusd, binding: token });

    const secret = new Uint8Array(randomBytes(32));
    const fresh = ed25519Account(secret, "0x0000000000000000000000000000000000000000");
    const spec = {
      factory: contracts.accountFactory,
      account: { kind: "ed25519" as const, publicKey: fresh.publicKey },
    };
    const address = counterfactualAddress(spec);
    print(`the new account will live at ${address}`);
    await client.sendAndWait({
      account: funder,
      calls: [createAccountCall(spec), wusd.calls.transfer(address, parseUnits("10"))],
    });
    const account = ed25519Account(secret, address);
    print(
      `created; it holds ${formatUnits(await wusd.read.balanceOf(address))} WUSD and ${await client.getBalance(address)} coin`,
    );

    const receipt = await wusd.write.transfer(account, [funder.address, parseUnits("4")], {
      paymaster: contracts.sponsorPaymaster,
    });
    for (const event of decodeLogs(receipt.logs, [sponsorPaymaster.metadata, token.metadata]))
      print(`event ${event.eventName} ${formatValue(event.args)}`);
    print(
      `fee ${receipt.fee} paid by the paymaster; the account still holds ${await client.getBalance(address)} coin`,
    );
  } finally {
    await client.close();
  }
}

runIfMain(import.meta.url, main);
