/**
 * The lending market against the first-depositor (share inflation) attack: in an empty
 * market an attacker supplies 1 wei, donates 10 WETH by repaying a 1-wei flash loan with
 * a surplus, and waits for a victim's 19 WETH. Without protection the victim got 1 share
 * and the attacker withdrew 14.5 WETH. With virtual shares and assets (1,000 each) the
 * donation goes almost all to the virtual shares: the attacker loses it, the victim keeps
 * all but a rounding unit of a share.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeAbi } from "../../../src/codec/abi.js";
import { account } from "../../helpers/chain.js";
import { TestChain } from "../../helpers/contracts.js";

const WAD = 10n ** 18n;
const MAX = (1n << 128n) - 1n;
const [admin, attacker, victim] = [account(1), account(2), account(3)];
/** The market's virtual shares and assets (contracts/sdk/shares.ts). */
const VIRTUAL = 1_000n;

function setup() {
  const chain = new TestChain(4);
  const oracle = chain.deploy("oracle", [3600n]);
  const lending = chain.deploy("lending", [oracle.address]);
  const weth = chain.deploy("token", ["WETH", "WETH", 18, 10n ** 30n, admin]);
  const out = lending.send(admin, "listMarket", [
    weth.address,
    (75n * WAD) / 100n,
    WAD / 10n,
    0n,
    0n,
    0n,
    WAD,
  ]);
  assert.equal(out.receipt.status, "success", JSON.stringify(out.error));
  oracle.send(admin, "setPrice", [weth.address, 2000n * WAD]);
  for (const who of [attacker, victim]) {
    chain.runOne(weth.tx(admin, "transfer", [who, 100n * WAD]));
    chain.runOne(weth.tx(who, "approve", [lending.address, MAX]));
  }
  const receiver = chain.deploy("flashReceiver", [], attacker);
  return { chain, lending, weth, receiver };
}

describe("lending market: first-depositor inflation", () => {
  it("a donation through a flash loan's surplus does not steal the next supplier's deposit", () => {
    const { lending, weth, receiver } = setup();
    const balance = (who: string) => weth.view("balanceOf", [who]) as bigint;
    // The attacker's funds include what it parks in its flash-loan receiver.
    assert.equal(weth.send(attacker, "transfer", [receiver.address, 10n * WAD]).receipt.status, "success");
    const attackerStart = balance(attacker) + balance(receiver.address);
    const victimStart = balance(victim);

    assert.equal(lending.send(attacker, "supply", [weth.address, 1n]).value, 1n);
    const donation = lending.send(attacker, "flashLoan", [
      weth.address,
      1n,
      receiver.address,
      encodeAbi(["u128"], [1n + 10n * WAD]),
    ]);
    assert.equal(donation.receipt.status, "success", JSON.stringify(donation.error));
    const minted = lending.send(victim, "supply", [weth.address, 19n * WAD]).value as bigint;

    for (const who of [attacker, victim]) {
      const amount = lending.view("suppliedBalance", [weth.address, who]) as bigint;
      const out = lending.send(who, "withdraw", [weth.address, amount]);
      assert.equal(out.receipt.status, "success", JSON.stringify(out.error));
    }
    const attackerGain = balance(attacker) + balance(receiver.address) - attackerStart;
    const victimLoss = victimStart - balance(victim);
    assert.ok(attackerGain < 0n, `the attacker must not profit (gained ${attackerGain})`);
    // The donation stays with the virtual shares: the attacker loses almost all of it.
    assert.ok(-attackerGain > (999n * 10n * WAD) / 1000n, `attacker lost only ${-attackerGain}`);
    // The victim loses at most one share's worth: (assets + virtual) / (shares + virtual).
    const oneShare = (29n * WAD + 1n + VIRTUAL) / (1n + minted + VIRTUAL) + 1n;
    assert.ok(victimLoss <= oneShare, `the victim lost ${victimLoss} (> one share, ${oneShare})`);
    assert.ok(victimLoss < (19n * WAD) / 1000n, "the victim keeps over 99.9% of the deposit");
    // shares = amount × (shares + virtual) / (assets + virtual), rounded down.
    assert.equal(minted, (19n * WAD * (1n + VIRTUAL)) / (10n * WAD + 1n + VIRTUAL));
  });

  it("the first supply in a market still mints one share per unit, exactly", () => {
    const { lending, weth } = setup();
    assert.equal(lending.send(victim, "supply", [weth.address, 7n * WAD]).value, 7n * WAD);
    assert.equal(lending.send(attacker, "supply", [weth.address, 3n]).value, 3n);
    assert.equal(lending.view("suppliedBalance", [weth.address, victim]), 7n * WAD);
    assert.equal(lending.send(victim, "withdraw", [weth.address, 7n * WAD]).value, 7n * WAD);
    assert.equal(lending.view("sharesOf", [weth.address, victim]), 0n);
  });
});
