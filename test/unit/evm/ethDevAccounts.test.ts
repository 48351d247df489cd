/**
 * The dev genesis prefunds the 10 accounts of the standard test mnemonic (m/44'/60'/0'/0/i,
 * as Anvil and Hardhat), and the node's banner prints them with their keys. Account 0 and 1
 * are the addresses every Ethereum tool knows for that mnemonic; each key derives its address.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bannerLines, invocationOf } from "../../../src/cli/nodeCommand.js";
import { decodeU128 } from "../../../src/engine/deltas.js";
import { buildGenesis } from "../../../src/node/genesis/genesis.js";
import { ETH_DEV_ACCOUNTS, ethAddressOf, ethDevKeys } from "../../../src/sdk/ethDevKeys.js";
import { balanceKey } from "../../../src/state/keys.js";
import { account } from "../../helpers/chain.js";

describe("Ethereum development accounts", () => {
  const keys = ethDevKeys();

  it("derive from the test mnemonic as Ethereum tools do", () => {
    assert.equal(keys.length, ETH_DEV_ACCOUNTS);
    assert.equal(keys[0]?.address, "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266");
    assert.equal(keys[1]?.address, "0x70997970c51812dc3a010c7d01b50e0d17dc79c8");
    assert.equal(keys[9]?.address, "0xa0ee7a142d267c1f36714e4a8f75612f20a79720");
    for (const k of keys) assert.equal(ethAddressOf(k.privateKey), k.address);
    assert.equal(new Set(keys.map((k) => k.address)).size, ETH_DEV_ACCOUNTS);
  });

  it("are prefunded by the dev genesis and printed in the banner", () => {
    const { writes, info } = buildGenesis({
      chainId: 1337n,
      time: 1_700_000_000,
      accounts: 1,
      feeRecipient: account(0xfee),
    });
    for (const k of keys) {
      const balance = writes.get(balanceKey(k.address));
      assert.equal(decodeU128(balance ?? undefined), 10_000n * 10n ** 18n, k.address);
    }
    assert.deepEqual(
      info.ethAccounts?.map((a) => a.address),
      keys.map((k) => k.address),
    );
    const lines = bannerLines(
      info,
      { url: "http://127.0.0.1:8545", wsUrl: "ws://127.0.0.1:8545" },
      true,
      invocationOf({}, "/usr/local/bin/weft"),
    ).join("\n");
    for (const k of keys) {
      assert.ok(lines.includes(k.address), `banner names ${k.address}`);
      assert.ok(lines.includes(`0x${Buffer.from(k.privateKey).toString("hex")}`), "and its key");
    }
    assert.match(lines, /test test test test test test test test test test test junk/);
    // The "Next" section shows an Ethereum account and viem, not only dev0.
    const next = lines.slice(lines.indexOf("Next, in another terminal:"));
    assert.match(next, /weft send 0x0+ab 1\.5 --from eth0/);
    assert.match(
      next,
      new RegExp(`privateKeyToAccount\\("0x${Buffer.from(keys[0]?.privateKey ?? []).toString("hex")}"\\)`),
    );
    assert.match(next, /chain: \{ id: 1337,/);
  });
});
