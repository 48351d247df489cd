/**
 * The timelock: only the admin queues, executes and cancels; an operation runs only from
 * its time and within the grace period, to the second; a failed call reverts with its
 * reason and stays queued; the delay and the admin change only through the timelock's own
 * operations; every revert path and event; a block of executions in parallel identical to
 * sequential.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Receipt } from "../../../src/chain/receipt.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { account } from "../../helpers/chain.js";
import { type Contract, TestChain } from "../../helpers/contracts.js";
import { assertSameAsSequential, attachChain, chainEngine } from "../../helpers/parallelChain.js";

const [governor, alice, stranger, next] = [account(1), account(2), account(3), account(4)];
const DELAY = 2n * 24n * 3600n;
const GRACE = 14n * 24n * 3600n;

function setup() {
  const chain = new TestChain(10);
  const lock = chain.deploy("timelock", [governor, DELAY]);
  // A token the timelock owns: only an executed operation can mint.
  const token = chain.deploy("token", ["Gov", "GOV", 18, 0n, lock.address]);
  const now = chain.block.time;
  const mintArgs = (to: Address, amount: bigint) => encodeAbi(["address", "u128"], [to, amount]);
  const op = (method: string, args: Uint8Array, eta: bigint, target: Address = token.address) => [
    target,
    0n,
    method,
    args,
    eta,
  ];
  const at = (time: bigint) => chain.setBlock({ time, height: chain.block.height + 1n });
  const own = (c: Contract, r: Receipt) =>
    c.events({ ...r, events: r.events.filter((e) => e.address === c.address) });
  return { chain, lock, token, now, mintArgs, op, at, own };
}

describe("timelock", () => {
  it("queues for no earlier than the delay, and runs from the eta to the end of the grace period", () => {
    const { lock, token, now, mintArgs, op, at, own } = setup();
    const eta = now + DELAY;
    const mint = op("mint", mintArgs(alice, 500n), eta);
    assert.deepEqual(lock.send(stranger, "queue", mint).error, {
      name: "NotAdmin",
      args: { caller: stranger },
    });
    assert.deepEqual(lock.send(governor, "queue", op("mint", mintArgs(alice, 500n), eta - 1n)).error, {
      name: "EtaTooSoon",
      args: { eta: eta - 1n, earliest: eta },
    });
    const queued = lock.send(governor, "queue", mint);
    const id = queued.value as Uint8Array;
    assert.deepEqual(lock.view("operationId", mint), id);
    assert.equal(lock.view("isQueued", [id]), true);
    assert.deepEqual(own(lock, queued.receipt), [
      {
        name: "Queued",
        args: { id, target: token.address, value: 0n, method: "mint", args: mintArgs(alice, 500n), eta },
      },
    ]);
    assert.deepEqual(lock.send(governor, "queue", mint).error, { name: "AlreadyQueued", args: { id } });
    at(eta - 1n);
    assert.deepEqual(lock.send(governor, "execute", mint).error, {
      name: "NotReady",
      args: { id, eta, now: eta - 1n },
    });
    assert.deepEqual(lock.send(stranger, "execute", mint).error?.name, "NotAdmin");
    at(eta);
    const done = lock.send(governor, "execute", mint);
    assert.equal(done.receipt.status, "success");
    assert.deepEqual(own(lock, done.receipt), [
      { name: "Executed", args: { id, target: token.address, method: "mint" } },
    ]);
    assert.equal(token.view("balanceOf", [alice]), 500n);
    assert.equal(lock.view("isQueued", [id]), false);
    assert.deepEqual(lock.send(governor, "execute", mint).error, { name: "NotQueued", args: { id } });
  });

  it("an operation not run within the grace period is stale; a cancelled one is gone", () => {
    const { lock, now, mintArgs, op, at, own } = setup();
    const eta = now + DELAY;
    const late = op("mint", mintArgs(alice, 1n), eta);
    const id = lock.send(governor, "queue", late).value as Uint8Array;
    at(eta + GRACE);
    const cancelMe = op("mint", mintArgs(alice, 2n), eta + GRACE + DELAY);
    assert.equal(lock.send(governor, "queue", cancelMe).receipt.status, "success");
    assert.equal(lock.send(governor, "execute", late).receipt.status, "success", "the last second of grace");
    const late2 = op("mint", mintArgs(alice, 3n), eta + GRACE + DELAY + 5n);
    const id2 = lock.send(governor, "queue", late2).value as Uint8Array;
    at(eta + GRACE + DELAY + 5n + GRACE + 1n);
    assert.deepEqual(lock.send(governor, "execute", late2).error, {
      name: "Stale",
      args: { id: id2, eta: eta + GRACE + DELAY + 5n, expired: eta + GRACE + DELAY + 5n + GRACE },
    });
    assert.ok(id.length === 32);
    assert.deepEqual(lock.send(stranger, "cancel", cancelMe).error?.name, "NotAdmin");
    const cancelled = lock.send(governor, "cancel", cancelMe);
    assert.equal(own(lock, cancelled.receipt)[0]?.name, "Cancelled");
    assert.equal(lock.send(governor, "execute", cancelMe).error?.name, "NotQueued");
    assert.equal(lock.send(governor, "cancel", cancelMe).error?.name, "NotQueued");
  });

  it("a failed call reverts with the callee's reason and stays queued", () => {
    const { lock, token, now, op, at } = setup();
    const eta = now + DELAY;
    // The timelock holds no tokens: a transfer of 5 fails in the token.
    const bad = op("transfer", encodeAbi(["address", "u128"], [alice, 5n]), eta);
    const id = lock.send(governor, "queue", bad).value as Uint8Array;
    at(eta);
    const out = lock.send(governor, "execute", bad);
    assert.equal(out.error?.name, "ExecutionFailed");
    assert.deepEqual(out.error?.args.id, id);
    const inner = token.outcome("transfer", {
      ...out.receipt,
      status: "revert",
      output: out.error?.args.data as Uint8Array,
    });
    assert.equal(inner.error?.name, "InsufficientBalance");
    assert.equal(lock.view("isQueued", [id]), true);
  });

  it("its delay and its admin change only through its own operations", () => {
    const { lock, now, op, at, own } = setup();
    // No method changes them directly: only an operation on the timelock itself.
    assert.equal(
      lock.meta.methods.some((m) => m.name === "setDelay" || m.name === "setPendingAdmin"),
      false,
    );
    const eta = now + DELAY;
    const setDelay = op("setDelay", encodeAbi(["u64"], [3600n]), eta, lock.address);
    lock.send(governor, "queue", setDelay);
    const tooLong = op("setDelay", encodeAbi(["u64"], [31n * 24n * 3600n]), eta, lock.address);
    lock.send(governor, "queue", tooLong);
    const handOver = op("setPendingAdmin", encodeAbi(["address"], [next]), eta, lock.address);
    lock.send(governor, "queue", handOver);
    at(eta);
    const changed = lock.send(governor, "execute", setDelay);
    assert.equal(changed.receipt.status, "success");
    assert.deepEqual(own(lock, changed.receipt)[0], {
      name: "DelayChanged",
      args: { previous: DELAY, next: 3600n },
    });
    assert.equal(lock.view("delay"), 3600n);
    assert.equal(lock.send(governor, "execute", tooLong).error?.name, "DelayOutOfRange");
    const unknown = op("frobnicate", new Uint8Array(0), eta + DELAY, lock.address);
    lock.send(governor, "queue", unknown);
    at(eta + DELAY);
    assert.deepEqual(lock.send(governor, "execute", unknown).error, {
      name: "UnknownOwnMethod",
      args: { method: "frobnicate" },
    });
    assert.equal(lock.send(governor, "execute", handOver).receipt.status, "success");
    assert.equal(lock.view("pendingAdmin"), next);
    assert.deepEqual(lock.send(stranger, "acceptAdmin").error, {
      name: "NotPendingAdmin",
      args: { caller: stranger },
    });
    const accepted = lock.send(next, "acceptAdmin");
    assert.deepEqual(own(lock, accepted.receipt), [
      { name: "AdminChanged", args: { previous: governor, next } },
    ]);
    assert.equal(lock.view("admin"), next);
    assert.equal(
      lock.send(governor, "queue", op("mint", new Uint8Array(0), eta + DELAY)).error?.name,
      "NotAdmin",
    );
  });

  it("refuses a delay out of range at deployment", () => {
    const chain = new TestChain(1);
    assert.throws(() => chain.deploy("timelock", [governor, 0n]), /DelayOutOfRange/);
    assert.throws(() => chain.deploy("timelock", [governor, 31n * 24n * 3600n]), /DelayOutOfRange/);
  });

  it("a block of executions runs in parallel identical to sequential", async () => {
    const { chain, lock, now, mintArgs, op, at } = setup();
    const eta = now + DELAY;
    const ops = Array.from({ length: 20 }, (_, i) =>
      op("mint", mintArgs(account(20 + i), BigInt(i + 1)), eta),
    );
    for (const o of ops) lock.send(governor, "queue", o);
    at(eta);
    const txs = ops.map((o) => lock.tx(governor, "execute", o));
    txs.push(lock.tx(governor, "execute", ops[0] as unknown[])); // executed already: NotQueued
    const engine = await chainEngine(2);
    try {
      const result = await assertSameAsSequential(engine, await attachChain(engine, chain), chain.block, txs);
      assert.equal(result.receipts.filter((r) => r.status === "success").length, 20);
      assert.equal(result.receipts.at(-1)?.status, "revert");
    } finally {
      await engine.close();
    }
  });
});
