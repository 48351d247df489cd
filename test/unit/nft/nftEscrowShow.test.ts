/**
 * A token of a collection without ERC-4907, rented through the market (which holds it in
 * escrow and records its user), as the SDK's `getNftToken` and `weft nft show` give it on
 * a running node: owner the lender, holder the market, and the renter as user with its
 * expiry, the market's record. A market the caller did not name is not believed: the
 * holder is then the owner and no user is claimed. While the rental runs the lender can
 * neither move the token nor take it back (exit 2, naming the renter and the expiry); after
 * it, `weft nft cancel --rent` returns it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import { devActions, getNftToken, RENTAL_DAY } from "../../../src/sdk/client/index.js";
import { useNodeProcess } from "../../helpers/nodeProcess.js";
import { runWeft } from "../../helpers/weftCli.js";

const ZERO = "0x0000000000000000000000000000000000000000";

describe("escrowed rentals in getNftToken and weft nft show", () => {
  const fixture = useNodeProcess("weft-nft-escrow-");

  it("shows the lender as owner, the market as holder, and the renter as user until its expiry", async () => {
    const { node, client } = fixture;
    const { accounts, contracts } = await client.genesis();
    const [dev0, dev3] = [accounts[0]?.address as Address, accounts[3]?.address as Address];
    const market = contracts.nftMarket as Address;
    const weft = async (...args: string[]) => {
      const run = await runWeft(["--rpc", node.url, ...args]);
      assert.equal(run.code, 0, `weft ${args.join(" ")}: ${run.err}${run.out}`);
      return run.out;
    };
    const deployed = await weft(
      "deploy",
      "nft",
      "Plain",
      "PLN",
      "https://plain/",
      dev0,
      ZERO,
      "0",
      "--from",
      "dev0",
    );
    const plain = /deployed nft at (0x[0-9a-f]{40})/.exec(deployed)?.[1] as Address;
    assert.ok(plain !== undefined, deployed);
    await weft("nft", "mint", "dev0", "5", "--nft", plain, "--from", "dev0");
    await weft("nft", "list", "5", "1", "--rent", "--max-days", "2", "--nft", plain, "--from", "dev0");
    const rented = await weft("nft", "rent", "5", "2", "--nft", plain, "--from", "dev3");
    assert.match(
      rented,
      /event nftMarket\.Rented\(.*expires: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, paid: 2 coin\)/,
    );

    const token = await getNftToken(client, plain, 5n);
    assert.equal(token.owner, dev0, "the lender owns it");
    assert.equal(token.holder, market, "the market holds it");
    assert.deepEqual(token.deposit, { market, lender: dev0, escrowed: true });
    assert.equal(token.user, dev3, "the renter, from the market's record");
    const head = await client.getBlock();
    assert.equal(token.userExpires, BigInt(head?.time ?? 0) + 2n * RENTAL_DAY);

    const shown = await weft("nft", "show", "5", "--nft", plain);
    assert.match(shown, new RegExp(`owner ${dev0} \\(deposited with the market for rent\\)`));
    assert.match(shown, new RegExp(`holder ${market} \\(the market\\)`));
    assert.match(
      shown,
      new RegExp(
        `user ${dev3} until \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC \\(in 2 days 0 h 0 min\\) \\(recorded by the market`,
      ),
    );
    assert.doesNotMatch(shown, /\(not rentable\)|expires \d{10}/);

    // While the rental runs the lender can neither move nor take it back; after, it can.
    const refuse = async (args: string[], pattern: RegExp) => {
      const run = await runWeft(["--rpc", node.url, ...args]);
      assert.equal(run.code, 2, `weft ${args.join(" ")}: ${run.err}${run.out}`);
      assert.match(run.err, pattern);
    };
    await refuse(
      ["nft", "transfer", "dev1", "5", "--nft", plain, "--from", "dev0"],
      /deposited with the market for rent: it cannot move/,
    );
    await refuse(
      ["nft", "cancel", "5", "--rent", "--nft", plain, "--from", "dev0"],
      new RegExp(`rented to ${dev3} until .* UTC \\(in 2 days`),
    );
    await refuse(["nft", "show", "99999", "--nft", plain], /token 99999 of 0x[0-9a-f]{40} does not exist/);

    // Not told of this market: its word is not taken.
    const untold = await getNftToken(client, plain, 5n, { markets: [] });
    assert.equal(untold.owner, market);
    assert.equal(untold.deposit, undefined);
    assert.equal(untold.user, undefined, "the plain collection has no ERC-4907 user");

    await devActions(client).increaseTime(Number(2n * RENTAL_DAY + 1n));
    await weft("nft", "cancel", "5", "--rent", "--nft", plain, "--from", "dev0");
    const back = await getNftToken(client, plain, 5n);
    assert.equal(back.owner, dev0);
    assert.equal(back.holder, dev0);
    assert.equal(back.deposit, undefined);
  });
});
