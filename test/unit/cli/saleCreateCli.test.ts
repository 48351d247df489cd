/**
 * `weft sale create | fund` against a started `weft node` (4 development accounts): dev1
 * creates a Dutch sale of 10 WETH for WUSD (3,000 falling to 1,000 over an hour) open only to
 * an allowlist; a listed buyer pays the price of its block, an unlisted one and every bad
 * setting are refused before sending (exit 2), a claim before the end says when it ends, and
 * after the end the buyer claims its WETH.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { token as tokenBinding } from "../../../src/bindings/token.gen.js";
import type { Address } from "../../../src/codec/address.js";
import { getContract, getSale, getSaleBuyer, saleCost, salePriceAt } from "../../../src/sdk/client/index.js";
import { useNodeProcess } from "../../helpers/nodeProcess.js";
import { runWeft } from "../../helpers/weftCli.js";

const E18 = 10n ** 18n;

describe("weft sale create: an allowlisted Dutch sale on a node", () => {
  const fixture = useNodeProcess("weft-sale-create-", { dataSubdir: true, extra: ["--dev-accounts", "4"] });

  it("creates, sells at the falling price to the allowlist only, and settles", async () => {
    const { node, client, dir } = fixture;
    const weft = (...args: string[]) => runWeft(["--rpc", node.url, ...args], { cwd: dir });
    // Each command line is split on spaces.
    const refused = async (pattern: RegExp, line: string) => {
      const r = await weft(...line.split(" "));
      assert.equal(r.code, 2, `weft ${line}: ${r.err}${r.out}`);
      assert.match(r.err, pattern);
    };
    const ok = async (line: string) => {
      const r = await weft(...line.split(" "));
      assert.equal(r.code, 0, `weft ${line}: ${r.err}${r.out}`);
      return r.out;
    };
    const genesis = await client.genesis();
    const dev2 = genesis.accounts[2]?.address as Address;
    writeFileSync(join(dir, "allow.txt"), `${dev2}\n0x00000000000000000000000000000000000000a1\n`);
    const settings = "--token weth --pay wusd --end +1h --soft-cap 1000 --hard-cap 30000";
    const created = await ok(
      `sale create ${settings} --supply 10 --price 3000 --end-price 1000 --buyer-cap 10000 --allowlist allow.txt --from dev1`,
    );
    const address = /created sale (0x[0-9a-f]{40})/.exec(created)?.[1] as Address;
    assert.ok(address !== undefined, created);
    assert.match(created, /: open\n/);
    assert.match(created, /\(Dutch: 3000 WUSD falling to 1000 WUSD\)/);
    assert.match(created, /allowlist root 0x[0-9a-f]{64}/);
    const sale = await getSale(client, address);
    assert.equal(sale.supply, 10n * E18);
    assert.equal(sale.endTime - sale.startTime <= 3_600n, true);

    await Promise.all([
      refused(
        /is not on the allowlist in allow\.txt/,
        `sale buy 1 --sale ${address} --allowlist allow.txt --from dev3`,
      ),
      refused(/this sale has an allowlist: pass --allowlist/, `sale buy 1 --sale ${address} --from dev2`),
      refused(
        /the sale is open: it settles after its end, 20\d\d-\d\d-\d\d \d\d:\d\d:\d\d UTC \(in \d+ min[\s\S]*weft sale wait --sale/,
        `sale claim --sale ${address} --from dev2`,
      ),
      refused(
        /no sale created: the price rises/,
        `sale create ${settings} --supply 1 --price 1000 --end-price 2000 --buyer-cap 10 --from dev1`,
      ),
      refused(
        /no sale created: the hard cap is zero or below the soft cap/,
        "sale create --token weth --pay wusd --end +1h --soft-cap 1000 --hard-cap 10 --supply 1 --price 1 --buyer-cap 10 --from dev1",
      ),
      refused(
        /holds 990 WETH: the sale's supply is 100,000 WETH/,
        `sale create ${settings} --supply 100000 --price 1 --buyer-cap 10 --from dev1`,
      ),
      refused(
        /--end: now, \+30m/,
        "sale create --token weth --pay wusd --end tomorrow --soft-cap 1 --hard-cap 2 --supply 1 --price 1 --buyer-cap 1 --from dev1",
      ),
      refused(
        /--vesting vesting: it vests 0x[0-9a-f]{40}, not the sale token/,
        `sale create ${settings} --supply 1 --price 1 --buyer-cap 10 --vesting vesting --cliff 1m --vesting-duration 1h --from dev1`,
      ),
      refused(/its supply is deposited already/, `sale fund --sale ${address} --from dev1`),
    ]);

    const bought = await ok(`sale buy 2 --sale ${address} --allowlist allow.txt --from dev2`);
    assert.match(bought, /bought 2 WETH for [\d.]+ WUSD/);
    const block = BigInt(/in block (\d+)/.exec(bought)?.[1] ?? "0");
    const time = (await client.getBlock({ number: block }))?.time ?? 0;
    const paid = (await getSaleBuyer(client, address, dev2)).paid;
    assert.equal(paid, saleCost(salePriceAt(sale, BigInt(time)), 2n * E18));
    assert.ok(paid < 6_000n * E18 && paid > 2_000n * E18, `a Dutch price between the bounds: ${paid}`);

    await ok(`sale wait --sale ${address}`);
    const weth = getContract({ client, address: genesis.contracts.weth as Address, binding: tokenBinding });
    const before = await weth.read.balanceOf(dev2);
    const claimed = await ok(`sale claim --sale ${address} --from dev2`);
    assert.match(claimed, /finalized the sale; claimed 2 WETH/);
    assert.equal(await weth.read.balanceOf(dev2), before + 2n * E18);
  });
});
