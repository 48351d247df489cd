/**
 * Session keys: dev account 3 grants a fresh key the right to call WUSD `transfer`, up to
 * 50 WUSD and 0.1 coin of fees, for an hour; the session then sends on its own (96-byte
 * authorisation); a transfer over the limit is refused at admission; the owner revokes.
 *
 *   node dist/src/sdk/client/examples/sessionKey.js http://127.0.0.1:8545
 */
import { randomBytes } from "node:crypto";
import { token } from "../../../bindings/token.gen.js";
import { ed25519Key } from "../accounts.js";
import { createClient } from "../client.js";
import { getContract } from "../contract.js";
import { TransactionRejectedError } from "../errors.js";
import { getGenesisContracts } from "../genesis.js";
import { http } from "../http.js";
import { grantSessionCall, NATIVE_COIN, revokeSessionCall, sessionKeyAccount } from "../sessionKeys.js";
import { formatUnits, parseUnits } from "../units.js";
import { DEFAULT_URL, devAccount, type Print, runIfMain, someAddress } from "./common.js";

export async function main(url: string = DEFAULT_URL, print: Print = console.log): Promise<void> {
  const client = createClient({ transport: http(url) });
  try {
    const contracts = await getGenesisContracts(client);
    const owner = await devAccount(client, 3);
    const wusd = getContract({ client, address: contracts.wusd, binding: token });
    const to = someAddress(0x5e5);

    const secret = new Uint8Array(randomBytes(32));
    const sessionKey = ed25519Key(secret).publicKey;
    await client.sendAndWait({
      account: owner,
      calls: [
        grantSessionCall(owner.address, {
          key: sessionKey,
          expiry: Math.floor(Date.now() / 1000) + 3600,
          allow: [{ target: wusd.address, method: "transfer" }],
          limits: [
            { token: NATIVE_COIN, amount: parseUnits("0.1") },
            { token: wusd.address, amount: parseUnits("50") },
          ],
        }),
      ],
    });
    print(`granted a session to ${owner.address}`);

    const session = sessionKeyAccount(secret, owner.address);
    const receipt = await wusd.write.transfer(session, [to, parseUnits("30")]);
    print(`the session sent 30 WUSD in block ${receipt.blockNumber} (fee ${receipt.fee})`);

    try {
      await wusd.write.transfer(session, [to, parseUnits("30")]);
      throw new Error("a transfer over the session's limit was accepted");
    } catch (error) {
      if (!(error instanceof TransactionRejectedError)) throw error;
      print(`over the limit: ${error.message}`);
    }

    await client.sendAndWait({ account: owner, calls: [revokeSessionCall(owner.address, sessionKey)] });
    print(`revoked; the recipient holds ${formatUnits(await wusd.read.balanceOf(to))} WUSD`);
  } finally {
    await client.close();
  }
}

runIfMain(import.meta.url, main);
