/**
 * A session key refused by its account says which check failed, through the node's RPC
 * (the rejection's message) and through the CLI (`weft tx` / `weft send --from <session key>`,
 * a keystore key of kind session): over its spending limit (spent + amount > limit, of which
 * token), a call it was not granted, and an expired session (the protocol's check of the
 * expiry the account returns).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { fromHex } from "../../../src/codec/bytes.js";
import {
  createClient,
  ed25519Account,
  grantSessionCall,
  http,
  NATIVE_COIN,
  sessionKeyAccount,
  type WeftClient,
} from "../../../src/sdk/client/index.js";
import { devSigner } from "../../../src/sdk/devKeys.js";
import { type NodeProcess, rpc, startNodeProcess } from "../../helpers/nodeProcess.js";
import { runWeft } from "../../helpers/weftCli.js";

const TO = "0x00000000000000000000000000000000000000ad";
const REFUSED = "the account refused the authorisation (its validation ended in revert: ";

describe("a session key's refusals through the RPC and the CLI", () => {
  let dir: string;
  let node: NodeProcess;
  let client: WeftClient;
  let dev0: Address;
  let wusd: Address;
  const weft = (...args: string[]) =>
    runWeft(["--rpc", node.url, "--keystore", join(dir, "keys"), ...args], { cwd: dir });
  /** A keystore session key for dev0, granted transfers of wusd up to 100 and 1 coin, until `expiry`. */
  const sessionKey = async (name: string, expiry: bigint) => {
    const made = await weft("--json", "keys", "new", name, "--kind", "session", "--account", dev0);
    assert.equal(made.code, 0, made.err);
    const { publicKey } = JSON.parse(made.out) as { publicKey: string };
    const owner = ed25519Account(devSigner(0).secret, dev0);
    const grant = grantSessionCall(dev0, {
      key: fromHex(publicKey),
      expiry,
      allow: [{ target: wusd, method: "transfer" }],
      limits: [
        { token: wusd, amount: 100n },
        { token: NATIVE_COIN, amount: 10n ** 18n },
      ],
    });
    const receipt = await client.sendAndWait({ account: owner, calls: [grant] });
    assert.equal(receipt.status, "success");
    const stored = JSON.parse(readFileSync(join(dir, "keys", `${name}.json`), "utf8")) as { secret: string };
    return sessionKeyAccount(stored.secret, dev0);
  };
  const now = () => BigInt(Math.floor(Date.now() / 1000));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "weft-session-"));
    node = await startNodeProcess(join(dir, "data"));
    client = createClient({ transport: http(node.url) });
    const genesis = await client.genesis();
    dev0 = genesis.accounts[0]?.address as Address;
    wusd = genesis.contracts.wusd as Address;
  });
  after(async () => {
    node.child.kill("SIGTERM");
    await node.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it("over its limit: spent + amount > limit of the token, through the RPC and weft tx", async () => {
    const session = await sessionKey("s1", now() + 24n * 3600n);
    const expected = `SessionLimitExceeded: session key over its limit: spent 0 + 150 > limit 100 of token ${wusd})`;
    await assert.rejects(
      client.sendAndWait({
        account: session,
        calls: [{ target: wusd, method: "transfer", args: encodeAbi(["address", "u128"], [TO, 150n]) }],
      }),
      (error: Error) => {
        assert.ok(error.message.includes(`${REFUSED}${expected}`), error.message);
        return true;
      },
    );
    const cli = await weft("tx", "wusd", "transfer", TO, "150", "--from", "s1");
    assert.notEqual(cli.code, 0);
    assert.ok(cli.err.includes(`${REFUSED}${expected}`), cli.err);
    const within = await weft("tx", "wusd", "transfer", TO, "60", "--from", "s1");
    assert.equal(within.code, 0, within.err);
    const again = await weft("tx", "wusd", "transfer", TO, "60", "--from", "s1");
    assert.ok(
      again.err.includes(`session key over its limit: spent 60 + 60 > limit 100 of token ${wusd})`),
      again.err,
    );
  });

  it("a call it was not granted: weft send and weft tx name the method and the target", async () => {
    const session = await sessionKey("s2", now() + 24n * 3600n);
    await assert.rejects(
      client.sendAndWait({
        account: session,
        calls: [{ target: wusd, method: "approve", args: encodeAbi(["address", "u128"], [TO, 1n]) }],
      }),
      (error: Error) => {
        assert.ok(
          error.message.includes(
            `${REFUSED}SessionCallNotAllowed: session key may not call "approve" on ${wusd})`,
          ),
          error.message,
        );
        return true;
      },
    );
    const approve = await weft("tx", "wusd", "approve", TO, "1", "--from", "s2");
    assert.notEqual(approve.code, 0);
    assert.ok(
      approve.err.includes(`${REFUSED}SessionCallNotAllowed: session key may not call "approve" on ${wusd})`),
      approve.err,
    );
    const send = await weft("send", TO, "1", "--from", "s2");
    assert.notEqual(send.code, 0);
    assert.ok(
      send.err.includes(`${REFUSED}SessionCallNotAllowed: session key may not send coin to ${TO})`),
      send.err,
    );
  });

  it("expired: the protocol refuses it after the expiry the account returns", async () => {
    const expiry = now() + 600n;
    const session = await sessionKey("s3", expiry);
    await rpc(node.url, "dev_increaseTime", [3600]);
    const expired = new RegExp(`the account's authorisation expired at ${expiry} \\(block time \\d+\\)`);
    await assert.rejects(
      client.sendAndWait({
        account: session,
        calls: [{ target: wusd, method: "transfer", args: encodeAbi(["address", "u128"], [TO, 1n]) }],
      }),
      (error: Error) => {
        assert.match(error.message, expired);
        return true;
      },
    );
    const cli = await weft("tx", "wusd", "transfer", TO, "1", "--from", "s3");
    assert.notEqual(cli.code, 0);
    assert.match(cli.err, expired);
  });
});
