/**
 * Verified reads: dev account 0's coin balance proven against the state root, the root
 * checked against the block header (which must hash to the block's hash); an absent
 * account proven absent; a tampered proof refused.
 *
 *   node dist/src/sdk/client/examples/proof.js http://127.0.0.1:8545
 */
import { balanceKey } from "../../../state/keys.js";
import { createClient } from "../client.js";
import { http } from "../http.js";
import { getVerifiedAccountBalance, verifyStorage } from "../proofs.js";
import { formatUnits } from "../units.js";
import { DEFAULT_URL, devAccount, type Print, runIfMain, someAddress } from "./common.js";

export async function main(url: string = DEFAULT_URL, print: Print = console.log): Promise<void> {
  const client = createClient({ transport: http(url) });
  try {
    const account = await devAccount(client, 0);
    const verified = await getVerifiedAccountBalance(client, account.address);
    print(
      `balance ${formatUnits(verified.balance)} coin, proven at block ${verified.blockNumber} (${verified.blockHash})`,
    );

    const nobody = someAddress(0xdead);
    const absent = await getVerifiedAccountBalance(client, nobody);
    print(`${nobody} holds ${absent.balance} coin (its absence is proven)`);

    // What a lying node would have to get past: the same proof with another value.
    const answer = await client.getProof(balanceKey(account.address));
    const honest = verifyStorage({
      key: answer.key,
      value: answer.value,
      proof: answer.proof ?? "",
      stateRoot: answer.stateRoot,
    });
    const forged = `0x${"ff".repeat(16)}` as const;
    const tampered = verifyStorage({
      key: answer.key,
      value: forged,
      proof: answer.proof ?? "",
      stateRoot: answer.stateRoot,
    });
    print(`honest proof verifies: ${honest}; with a forged value: ${tampered}`);
    if (!honest || tampered) throw new Error("proof verification misbehaved");
  } finally {
    await client.close();
  }
}

runIfMain(import.meta.url, main);
