/**
 * What the CLI tells a user to type matches how they run it: the node's banner shows
 * `npx weft …` under npx, `weft …` from the installed bin, and an alias line only when run
 * as `node …/weft.js` (npm start in the repository). `call` and `tx` help says a project's
 * deployed contracts work by name; `deploy` help says how a key from the environment signs.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { bannerLines, invocationOf } from "../../../src/cli/nodeCommand.js";

const CLI = fileURLToPath(new URL("../../../src/cli/weft.js", import.meta.url));
const GENESIS = {
  chainId: 1337n,
  accounts: [{ address: "0x00000000000000000000000000000000000000d0", secretKey: "00".repeat(32) }],
  contracts: { wusd: "0x00000000000000000000000000000000000000e0" },
} as unknown as Parameters<typeof bannerLines>[0];
const ADDRESS = { url: "http://127.0.0.1:8545", wsUrl: "ws://127.0.0.1:8545" };

function help(...args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args, "--help"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.replace(/\s+/g, " ");
}

describe("hints that match the user's way in", () => {
  it("recognises npx, the installed bin and a plain node run", () => {
    assert.deepEqual(invocationOf({ npm_command: "exec" }, "/p/node_modules/.bin/weft"), {
      prefix: "npx weft",
      setup: [],
    });
    assert.deepEqual(invocationOf({}, "/usr/local/bin/weft"), { prefix: "weft", setup: [] });
    const plain = invocationOf({ npm_command: "start" }, "/repo/dist/src/cli/weft.js");
    assert.equal(plain.prefix, "weft");
    assert.match(plain.setup[0] ?? "", /^alias weft="node .*weft\.js"$/);
  });

  it("the banner under npx has no alias line and npx weft examples", () => {
    const lines = bannerLines(GENESIS, ADDRESS, true, invocationOf({ npm_command: "exec" }, "/p/.bin/weft"));
    const text = lines.join("\n");
    assert.doesNotMatch(text, /alias weft/);
    assert.match(text, /\n {2}npx weft account show dev0 +balances/);
    assert.match(text, /\n {2}npx weft call wusd balanceOf 0x0{38}d0/);
    const plain = bannerLines(GENESIS, ADDRESS, true, invocationOf({}, "/repo/dist/src/cli/weft.js")).join(
      "\n",
    );
    assert.match(plain, /Next, in another terminal:\n {2}alias weft="node .*"\n {2}weft account show dev0/);
  });

  it("call and tx help name a project's deployed contracts; deploy and tx offer a key from the environment", () => {
    const [call, tx, deploy] = ["call", "tx", "deploy"].map((command) => help(command)) as [
      string,
      string,
      string,
    ];
    for (const text of [call, tx])
      assert.match(text, /deployments\/<--network, else WEFT_NETWORK, else local>\.json/);
    for (const text of [deploy, tx]) {
      assert.match(text, /--private-key-env <VAR>/);
      assert.match(text, /WEFT_PRIVATE_KEY/);
    }
    assert.match(deploy, /earlier deployment of the same name stays there, under previous/);
  });
});
