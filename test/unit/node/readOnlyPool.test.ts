/**
 * Read-only execution off the main thread: `weft_call` and `weft_estimateGas` answered by a
 * worker reading LMDB give exactly what the main thread computes (the same status, gas,
 * output and logs; the same estimates and refusals), every call is held to the gas cap, a
 * client over its time budget is refused with -32005 while another is served, a full
 * queue refuses at once, one client never holds every worker, and while the budget all
 * clients share is used up jobs wait in turn instead of running.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { probeModule } from "../../../bench/lib/calibrationProbes.js";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import { type Address, contractAddress } from "../../../src/codec/address.js";
import { toHex } from "../../../src/codec/bytes.js";
import { keccak256 } from "../../../src/codec/hash.js";
import type { GenesisInfo } from "../../../src/node/genesis/genesis.js";
import type { JobOutcome, ReadOnlyJob } from "../../../src/node/readOnly/execute.js";
import { DEFAULT_READ_ONLY, ReadOnlyPool, type ReadOnlySettings } from "../../../src/node/readOnly/pool.js";
import { RpcCallError, rpc, waitForReceipt } from "../../../src/sdk/rpcClient.js";
import { secp256k1Signer } from "../../../src/sdk/signers.js";
import { TxState } from "../../../src/vm/txState.js";
import { deployRaw, tokenTransferRaw } from "../../helpers/nodeTx.js";
import { startTestNode, type TestNode } from "../../helpers/testNode.js";

const TO: Address = "0x00000000000000000000000000000000000000aa";
const ZERO: Address = "0x0000000000000000000000000000000000000000";
const GAS_CAP = 5_000_000;
const RECOVER =
  "(drop (call $secp256k1_recover (i32.const 256) (i32.const 160) (i32.const 1024))) (call $sha256 (i32.const 256) (i32.const 32) (i32.const 1100))";

/** `run`'s input: a loop count, then a signature at 160 and its digest at 256 (bench/lib/calibrationProbes.ts). */
function recoverLoop(n: number): Uint8Array {
  const input = new Uint8Array(512);
  new DataView(input.buffer).setUint32(0, n, true);
  const message = new Uint8Array(32).map((_, i) => i * 7);
  input.set(secp256k1Signer(3).sign(message), 160);
  input.set(keccak256(message), 256);
  return input;
}
const hex = (b: Uint8Array) => `0x${toHex(b)}`;

describe("read-only execution pool", () => {
  let node: TestNode;
  let genesis: GenesisInfo;
  let sender: Address;
  let wusd: Address;
  let probe: Address;
  /** A contract whose `run` recovers a secp256k1 signer in a loop: ~1 ms of wall time per 2.7M gas. */
  let slow: Address;

  /** A pool over the node's database with these settings (closed after the file). */
  const pools: ReadOnlyPool[] = [];
  const poolOf = (settings: Partial<ReadOnlySettings>, clock?: () => number): ReadOnlyPool => {
    const chain = node.running.node;
    const pool = new ReadOnlyPool(
      {
        dataDir: node.config.dataDir,
        chainId: chain.options.chainId,
        feeRecipient: chain.options.feeRecipient,
        minBaseFee: chain.minBaseFee,
        nowMs: () => chain.clock.nowMs(),
        inline: () => ({ vm: chain.vm, read: (k) => chain.state.get(k), block: chain.nextBlock() }),
        logs: () => ({ db: chain.db, read: (k) => chain.state.get(k), head: chain.head().number }),
        modules: () => chain.vm.cache.held(),
        ...(clock === undefined ? {} : { clock }),
      },
      { ...DEFAULT_READ_ONLY, gasCap: GAS_CAP, ...settings },
    );
    pools.push(pool);
    return pool;
  };

  before(async () => {
    node = await startTestNode((config) => {
      config.rpc.callWorkers = 1;
      config.rpc.callGasCap = GAS_CAP;
    });
    genesis = await rpc<GenesisInfo>(node.url, "weft_genesis");
    sender = genesis.accounts[0]?.address as Address;
    wusd = genesis.contracts.wusd as Address;
    const options = { chainId: 1337n, sender, devIndex: 0 };
    const { code } = loadArtifact("probe");
    const deploy = { raw: deployRaw({ ...options, sequence: 0n, gasLimit: 50_000_000n }, code) };
    probe = contractAddress(sender, new Uint8Array(32), keccak256(code), new Uint8Array(0));
    const transfer = tokenTransferRaw({ ...options, sequence: 1n }, wusd, TO, 5n);
    const slowCode = probeModule("", RECOVER);
    slow = contractAddress(sender, new Uint8Array(32), keccak256(slowCode), new Uint8Array(0));
    const slowDeploy = deployRaw({ ...options, sequence: 2n, gasLimit: 50_000_000n }, slowCode);
    for (const raw of [deploy.raw, transfer, slowDeploy]) {
      const { hash } = await rpc<{ hash: string }>(node.url, "weft_sendRawTransaction", [hex(raw)]);
      const receipt = await waitForReceipt<{ status: string }>(node.url, hash);
      assert.equal(receipt.status, "success");
    }
  });
  after(async () => {
    await Promise.all(pools.map((p) => p.close()));
    await node.close();
  });

  const call = (target: Address, method: string, args: Uint8Array = new Uint8Array(0)): ReadOnlyJob => ({
    kind: "call",
    caller: sender,
    target,
    method,
    input: args,
    value: 0n,
  });
  const estimate = (calls: Array<{ target: Address; method: string; args?: Uint8Array }>): ReadOnlyJob => ({
    kind: "estimate",
    envelope: {
      chainId: 1337n,
      sender,
      nonceKey: 0n,
      gasLimit: 1_000_000_000n,
      priorityFee: 0n,
      calls: calls.map((c) => ({ ...c, args: c.args ?? new Uint8Array(0), value: 0n })),
      auth: new Uint8Array(64),
    },
    withAuth: false,
  });

  it("answers on a worker exactly what the main thread computes", async () => {
    const jobs: ReadOnlyJob[] = [
      call(wusd, "balanceOf", encodeAbi(["address"], [TO])),
      call(wusd, "symbol"),
      call(wusd, "transfer", encodeAbi(["address", "u128"], [TO, 1n])), // emits a log, reverts? either way the same
      call(probe, "spin"), // runs until the gas cap
      call(probe, "gas"),
      call(probe, "requireTrue", encodeAbi(["bool"], [false])),
      call(ZERO, "nothing"),
      estimate([{ target: wusd, method: "transfer", args: encodeAbi(["address", "u128"], [TO, 1n]) }]),
      estimate([{ target: probe, method: "spin" }]), // refused: the call fails
      estimate([
        { target: wusd, method: "symbol" },
        { target: probe, method: "gas" },
      ]),
    ];
    const onWorker = poolOf({ workers: 1 });
    const onMain = poolOf({ workers: 0 });
    for (const job of jobs) {
      const [a, b] = await Promise.all([onWorker.run("c", job), onMain.run("c", job)]);
      assert.deepEqual(a, b, `${job.kind} ${job.kind === "call" ? job.method : ""}`);
    }
    // And what the main thread computed before the pool existed: the VM called directly.
    const chain = node.running.node;
    for (const job of jobs.slice(0, 6)) {
      if (job.kind !== "call") continue;
      const state = new TxState({ read: (k) => chain.state.get(k) });
      const direct = chain.vm.call(state, chain.nextBlock(), {
        caller: job.caller,
        target: job.target,
        method: job.method,
        input: job.input,
        value: job.value,
        gasLimit: GAS_CAP,
      });
      const pooled = (await onWorker.run("c", job)) as JobOutcome & { ok: true };
      assert.ok(pooled.ok);
      assert.deepEqual(pooled.result, {
        status: direct.status,
        output: hex(direct.data),
        gasUsed: direct.gasUsed,
        logs: state.events.map((e) => ({ address: e.address, topics: e.topics, data: hex(e.data) })),
      });
    }
  });

  it("holds every call to the gas cap, over RPC too", async () => {
    const spun = await rpc<{ status: string; gasUsed: number }>(node.url, "weft_call", [
      { to: probe, method: "spin" },
    ]);
    assert.equal(spun.status, "outOfGas");
    assert.equal(spun.gasUsed, GAS_CAP);
    await assert.rejects(
      rpc(node.url, "weft_estimateGas", [
        { sender, calls: [{ target: wusd, method: "symbol" }], auth: `0x${"11".repeat(64)}` },
      ]),
      (e: unknown) => e instanceof RpcCallError && e.code === -32602 && /gas cap/.test(e.message),
    );
  });

  it("refuses a client over its time budget with -32005 and keeps serving another", async () => {
    // A budget of 0.5 ms that one secp256k1 recovery (~1 ms) uses up. (The workers hold every
    // contract compiled, so a first call no longer spends the budget compiling.)
    const pool = poolOf({ workers: 1, budgetMsPerSecond: 0.25 });
    const first = await pool.run("greedy", call(slow, "run", recoverLoop(10)));
    assert.ok(first.ok, "the first job runs on the client's initial balance");
    const refused = await pool.run("greedy", call(probe, "spin"));
    assert.ok(!refused.ok);
    assert.equal(refused.error.code, -32005);
    assert.match(refused.error.message, /budget/);
    const wait = (refused.error.data as { retryAfterMs: number }).retryAfterMs;
    assert.ok(wait > 0);
    const other = await pool.run("modest", call(wusd, "symbol"));
    assert.ok(other.ok, "another client has its own budget");
  });

  it("serves clients in turn and refuses beyond the queue at once", async () => {
    const pool = poolOf({ workers: 1, maxQueuePerClient: 2, budgetMsPerSecond: 1_000_000 });
    const finished: string[] = [];
    const track = (name: string, p: Promise<JobOutcome>) =>
      p.then((o) => {
        finished.push(name);
        return o;
      });
    const greedy = [1, 2, 3, 4, 5].map((i) => track(`greedy${i}`, pool.run("greedy", call(probe, "spin"))));
    const modest = track("modest", pool.run("modest", call(wusd, "symbol")));
    const outcomes = await Promise.all([...greedy, modest]);
    // greedy1 runs at once, greedy2-3 wait, greedy4-5 find the client's queue full.
    assert.deepEqual(
      outcomes.map((o) => (o.ok ? "ok" : o.error.code)),
      ["ok", "ok", "ok", -32005, -32005, "ok"],
    );
    assert.match((outcomes[3] as { error: { message: string } }).error.message, /busy/);
    assert.ok(
      finished.indexOf("modest") < finished.indexOf("greedy3"),
      `modest waited for at most one greedy job: ${finished.join(" ")}`,
    );
  });

  it("runs one client on at most half the workers, so another finds one free", async () => {
    const pool = poolOf({ workers: 2, gasCap: 1_000_000_000, budgetMsPerSecond: 1_000_000 });
    await pool.ready;
    const finished: string[] = [];
    const track = (name: string, p: Promise<JobOutcome>) =>
      p.then((o) => {
        finished.push(name);
        return o;
      });
    // ~3,000 rounds of a recovery and a sha256 each (a few hundred ms on a quiet machine).
    const greedy = [1, 2].map((i) =>
      track(`greedy${i}`, pool.run("greedy", call(slow, "run", recoverLoop(3_000)))),
    );
    const modest = track("modest", pool.run("modest", call(wusd, "symbol")));
    const outcomes = await Promise.all([...greedy, modest]);
    assert.ok(outcomes.every((o) => o.ok));
    // greedy2 waited for greedy1 (one worker per client), modest ran at once on the other.
    assert.deepEqual(finished, ["modest", "greedy1", "greedy2"]);
  });

  it("keeps jobs waiting, in turn, while the budget all clients share is used up", async () => {
    let now = 0;
    const pool = poolOf(
      { workers: 1, gasCap: 1_000_000_000, budgetMsPerSecond: 1_000_000, budgetMsTotal: 1 },
      () => now,
    );
    const first = await pool.run("a", call(slow, "run", recoverLoop(100))); // well over the 2 ms burst
    assert.ok(first.ok);
    assert.ok(pool.total.waitMs("all") > 0, "the shared budget is used up");
    const finished: string[] = [];
    const track = (name: string, p: Promise<JobOutcome>) =>
      p.then((o) => {
        finished.push(name);
        return o;
      });
    const second = track("b", pool.run("b", call(wusd, "symbol")));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(pool.waiting(), 1, "b waits (the clock does not move, so the budget does not refill)");
    now += 3_600_000_000; // much later: the budget is full again
    // b's call may use up the 2 ms shared budget again (it took more on a loaded machine, and
    // c then waited for ever on a clock that never moved: the file hung until killed at 600 s):
    // once b is done, time moves on again, and c runs at the pool's next refill check.
    void second.then(() => {
      now += 3_600_000_000;
    });
    const third = track("c", pool.run("c", call(wusd, "symbol")));
    const outcomes = await Promise.all([second, third]);
    assert.ok(
      outcomes.every((o) => o.ok),
      JSON.stringify(outcomes),
    );
    assert.deepEqual(finished, ["b", "c"], "b kept its place in line");
  });

  it("refuses at once over the whole queue's bound", async () => {
    const pool = poolOf({ workers: 1, maxQueue: 1, budgetMsPerSecond: 1_000_000 });
    const running = pool.run("a", call(probe, "spin"));
    const waiting = pool.run("b", call(probe, "spin"));
    const refused = await pool.run("c", call(wusd, "symbol"));
    assert.ok(!refused.ok);
    assert.equal(refused.error.code, -32005);
    assert.ok((await running).ok && (await waiting).ok);
  });

  /** Answers from `pool` for `job` until one is not a -32009 (a first call on a loaded machine may be stopped). */
  const warm = async (pool: ReadOnlyPool, client: string, job: ReadOnlyJob): Promise<JobOutcome> => {
    for (let i = 0; ; i++) {
      const outcome = await pool.run(client, job);
      if (outcome.ok || outcome.error.code !== -32009 || i === 4) return outcome;
    }
  };
  const until = async (what: string, test: () => boolean) => {
    for (const started = Date.now(); !test(); await new Promise((r) => setTimeout(r, 20)))
      assert.ok(Date.now() - started < 60_000, `waited a minute for ${what}`);
  };

  it("stops a call past maxCallMs with -32009 and serves the others; the worker finishes it and ends by itself", async () => {
    // The gas cap (MAX_TX_GAS, 1e9) buys ~4,900 rounds of a recovery and a sha256 (~203,000
    // gas, ~63 µs): ~0.3 s on a quiet machine, more on a loaded one, so the 100 ms limit,
    // not the gas, stops it.
    const pool = poolOf({ workers: 2, gasCap: 1_000_000_000, maxCallMs: 100, budgetMsPerSecond: 1_000_000 });
    await pool.ready;
    const other = await warm(pool, "b", call(wusd, "symbol"));
    assert.ok(other.ok, "a call before");
    const timeouts = pool.timeouts;
    const [stopped, beside] = await Promise.all([
      pool.run("a", call(slow, "run", recoverLoop(4_000_000_000))),
      pool.run("b", call(wusd, "symbol")),
    ]);
    assert.ok(!stopped.ok, JSON.stringify(stopped));
    assert.equal(stopped.error.code, -32009);
    assert.match(stopped.error.message, /ran longer than 100 ms/);
    assert.deepEqual(stopped.error.data, { maxCallMs: 100 });
    assert.ok(beside.ok, "the call on the other worker was answered");
    assert.equal(pool.timeouts, timeouts + 1);
    // Not terminated in the middle of WebAssembly (that aborted the process): it finishes the
    // call its gas bounds, then closes its database and ends.
    assert.equal(pool.finishingWorkers, 1, "the stopped call's worker is still finishing it");
    await until("the stopped worker to end", () => pool.finishingWorkers === 0);
    const later = await Promise.all([
      warm(pool, "c", call(wusd, "symbol")),
      warm(pool, "d", call(wusd, "symbol")),
    ]);
    assert.ok(
      later.every((o) => o.ok),
      "both workers serve after the replacement",
    );
    assert.deepEqual(later[0], other, "the same answer from the fresh worker");
  });

  it("a run of stopped calls keeps the process alive and at most twice `workers` threads", async () => {
    // On the pool that terminated its workers, 100 calls stopped so aborted the process in 5
    // runs of 5 (lmdb's "terminate called after throwing an instance of 'Napi::Error'").
    const pool = poolOf({ workers: 2, gasCap: 1_000_000_000, maxCallMs: 30, budgetMsPerSecond: 1_000_000 });
    await pool.ready;
    let most = 0;
    let threads = 0;
    const watch = setInterval(() => {
      most = Math.max(most, pool.finishingWorkers);
      threads = Math.max(threads, pool.threads);
    }, 5);
    try {
      for (let i = 0; i < 12; i++) {
        const stopped = await pool.run(`s${i}`, call(slow, "run", recoverLoop(4_000_000_000)));
        assert.ok(!stopped.ok && stopped.error.code === -32009, JSON.stringify(stopped));
        most = Math.max(most, pool.finishingWorkers);
      }
    } finally {
      clearInterval(watch);
    }
    // Replacements start at once for the first two finishing; the rest wait for one to end.
    assert.ok(most >= 1 && most <= 4, `finishing at once: ${most}`);
    assert.ok(threads <= 4, `threads at once: ${threads}`);
    await until("the stopped workers to end", () => pool.finishingWorkers === 0);
    const served = await warm(pool, "after", call(wusd, "symbol"));
    assert.ok(served.ok, JSON.stringify(served));
  });

  it("gives up, loudly, on workers that cannot start instead of respawning them forever", async () => {
    const chain = node.running.node;
    const pool = new ReadOnlyPool(
      {
        dataDir: "/dev/null/no-database-here",
        chainId: chain.options.chainId,
        feeRecipient: chain.options.feeRecipient,
        minBaseFee: chain.minBaseFee,
        nowMs: () => Date.now(),
        inline: () => ({ vm: chain.vm, read: (k) => chain.state.get(k), block: chain.nextBlock() }),
        logs: () => ({ db: chain.db, read: (k) => chain.state.get(k), head: chain.head().number }),
        modules: () => chain.vm.cache.held(),
      },
      { ...DEFAULT_READ_ONLY, workers: 1 },
    );
    pools.push(pool);
    const failures: string[] = [];
    for (let i = 0; i < 10 && !failures.some((f) => /keep dying/.test(f)); i++) {
      await pool.run("c", call(wusd, "symbol")).then(
        () => assert.fail("a job ran without a database"),
        (error: unknown) => failures.push(String(error)),
      );
    }
    assert.match(failures.at(-1) ?? "", /read-only workers keep dying: .*no-database-here/);
    await assert.rejects(pool.run("d", call(wusd, "symbol")), /keep dying/);
  });
});
