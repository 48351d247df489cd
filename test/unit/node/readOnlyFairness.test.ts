/**
 * Read-only execution under an attack from many addresses of one network (the attacker's
 * finding: eight addresses delayed an honest `weft_call` by eight slow calls, and an
 * `eth_call` ran 16.7M EVM gas, seconds of CPU, into the time limit).
 *
 * - Clients are networks: eight loopback addresses of one /24 (127.0.0.2-9) flooding slow
 *   calls are one client with one queue, so an honest client of another /24 (127.1.0.1) is
 *   served after the call running when it arrives (its network has the most budget left),
 *   and their ninth and later waiting calls are refused with the per-network bound named.
 * - An EVM call is held to the read-only gas cap counted in EVM gas (`evmGasWithin`): a
 *   cheap-opcode loop ends out of gas at that cap, in a bounded time, not at the time limit.
 *
 * The assertions are on order and counts, never on durations.
 */
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, it } from "node:test";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import { type Address, contractAddress } from "../../../src/codec/address.js";
import { toHex } from "../../../src/codec/bytes.js";
import { keccak256 } from "../../../src/codec/hash.js";
import { evmGasWithin } from "../../../src/evm/weftGas.js";
import type { GenesisInfo } from "../../../src/node/genesis/genesis.js";
import { rpc, waitForReceipt } from "../../../src/sdk/rpcClient.js";
import { deployRaw } from "../../helpers/nodeTx.js";
import { startTestNode, type TestNode } from "../../helpers/testNode.js";

/** Gas of one read-only call: the probe's `spin` runs to it (tens of ms on a quiet machine). */
const GAS_CAP = 200_000_000;
const ATTACKERS = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);
const HONEST = "127.1.0.1";
const CALLS_PER_ATTACKER = 3;
const QUEUE_PER_NETWORK = 8;

interface Answer {
  result?: unknown;
  error?: { code: number; message: string; data?: Record<string, unknown> };
}

/** POSTs one JSON-RPC request from `localAddress` (a loopback address of the test's choosing). */
function postFrom(url: string, localAddress: string, method: string, params: unknown[]): Promise<Answer> {
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method, params });
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: "POST", localAddress, agent: false, headers: { "content-type": "application/json" } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")) as Answer));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("read-only execution is shared per client network", () => {
  let node: TestNode;
  let probe: Address;

  before(async () => {
    node = await startTestNode((config) => {
      config.rpc.callWorkers = 1;
      config.rpc.callGasCap = GAS_CAP;
      config.rpc.callQueuePerClient = QUEUE_PER_NETWORK;
      config.rpc.callTimeoutMs = 600_000; // never the limit here: the gas cap is
    });
    const genesis = await rpc<GenesisInfo>(node.url, "weft_genesis");
    const sender = genesis.accounts[0]?.address as Address;
    const { code } = loadArtifact("probe");
    const raw = deployRaw({ chainId: 1337n, sender, devIndex: 0, sequence: 0n, gasLimit: 50_000_000n }, code);
    const { hash } = await rpc<{ hash: string }>(node.url, "weft_sendRawTransaction", [`0x${toHex(raw)}`]);
    assert.equal((await waitForReceipt<{ status: string }>(node.url, hash)).status, "success");
    probe = contractAddress(sender, new Uint8Array(32), keccak256(code), new Uint8Array(0));
    await rpc(node.url, "weft_call", [{ to: probe, method: "spin" }]); // the worker compiles it once
  });
  after(async () => {
    await node.close();
  });

  it("serves an honest network after at most two calls of eight flooding addresses of one /24", async (t) => {
    const pool = node.running.node.readOnly;
    /** Completions in order: "a" an attacker's call that ran, "honest" the honest call. */
    const order: string[] = [];
    const refusals: Answer[] = [];
    const spin = [{ to: probe, method: "spin" }];
    const attack = ATTACKERS.flatMap((from) =>
      Array.from({ length: CALLS_PER_ATTACKER }, () =>
        postFrom(node.url, from, "weft_call", spin).then((answer) => {
          if (answer.error === undefined) order.push("a");
          else refusals.push(answer);
        }),
      ),
    );
    // Every attacking call has been queued, run or refused before the honest one is sent.
    const deadline = Date.now() + 60_000;
    while (order.length + refusals.length + pool.waiting() < attack.length - 1 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 5));
    assert.ok(pool.waiting() > 2, `the attackers keep calls waiting (${pool.waiting()})`);
    const sentAt = order.length;
    const honest = await postFrom(node.url, HONEST, "weft_call", spin);
    order.push("honest");
    assert.equal(honest.error, undefined, JSON.stringify(honest.error));
    await Promise.all(attack);
    const before = order.slice(sentAt, order.indexOf("honest")).length;
    t.diagnostic(`completions from the honest call's sending: ${order.slice(sentAt).join(" ")}`);
    // The running call, and one that started while the honest request was on its way: the
    // honest network, with its budget whole, goes before the attackers' queue. (Counted per
    // address, in turn, the honest call waited for one call of each of the eight.)
    assert.ok(
      before <= 2,
      `attacker calls answered while the honest one waited: ${before} (${order.join(" ")})`,
    );
    // Eight addresses of one /24 share one queue: beyond QUEUE_PER_NETWORK waiting, refused.
    assert.ok(refusals.length > 0, "the network's queue bound refused some of its calls");
    for (const refused of refusals) {
      assert.equal(refused.error?.code, -32005);
      if (refused.error?.data?.limit === "callQueuePerClient") {
        assert.match(refused.error.message, /from network 127\.0\.0\.0\/24 .*at most 8 per network/);
        assert.equal(refused.error.data.network, "127.0.0.0/24");
      } else assert.equal(refused.error?.data?.limit, "callBudgetMs", refused.error?.message);
    }
    assert.ok(
      refusals.some((r) => r.error?.data?.limit === "callQueuePerClient"),
      `the per-network queue bound: ${refusals.map((r) => r.error?.message).join("; ")}`,
    );
  });

  it("holds an EVM call to the block's EVM gas limit when the read-only cap is below it: a loop runs out of gas", async () => {
    // The cap counted in EVM gas is below what a block holds: every transaction a block can
    // hold must still be estimable, so the block's EVM gas limit is the cap.
    assert.ok(evmGasWithin(BigInt(GAS_CAP)) < 6_000_000n);
    const head = await rpc<{ gasLimit: string }>(node.url, "eth_getBlockByNumber", ["latest", false]);
    const cap = BigInt(head.gasLimit);
    assert.ok(cap > 21_000n && cap < 16_777_216n, `cap ${cap}`);
    const loop = "0x5b600056"; // JUMPDEST PUSH1 0 JUMP: init code that never stops
    for (const method of ["eth_call", "eth_estimateGas"]) {
      // A run to 6M EVM gas may spend the network's time budget (the bound on time, not gas):
      // wait as the refusal says and ask again.
      let answer = await postFrom(node.url, HONEST, method, [{ data: loop, gas: "0xffffff" }, "latest"]);
      for (let i = 0; i < 20 && answer.error?.data?.limit === "callBudgetMs"; i++) {
        await new Promise((r) => setTimeout(r, Number(answer.error?.data?.retryAfterMs ?? 1000)));
        answer = await postFrom(node.url, HONEST, method, [{ data: loop, gas: "0xffffff" }, "latest"]);
      }
      assert.equal(answer.error?.code, -32000, `${method}: ${JSON.stringify(answer)}`);
      assert.equal(answer.error?.message, `gas required exceeds allowance (${cap})`);
    }
    // A WASM call held to the same cap in Weft gas ends the same way.
    const spun = await rpc<{ status: string; gasUsed: number }>(node.url, "weft_call", [
      { to: probe, method: "spin" },
    ]);
    assert.deepEqual([spun.status, spun.gasUsed], ["outOfGas", GAS_CAP]);
  });
});
