/**
 * A call the VM cannot finish for a reason of the node (a `VmFault`: V8's own stack ran
 * out, say) is answered by `weft_call` and `weft_estimateGas` with the typed execution-fault
 * error, -32060 with `data.fault` naming the fault, never the generic -32603: on the main
 * thread (a fault injected into the node's VM, through JSON-RPC) and on a read-only worker
 * (a real stack overflow: the worker's stack made smaller than the VM's budget needs).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Worker } from "node:worker_threads";
import { type Address, contractAddress } from "../../../src/codec/address.js";
import { toHex } from "../../../src/codec/bytes.js";
import { keccak256 } from "../../../src/codec/hash.js";
import type { GenesisInfo } from "../../../src/node/genesis/genesis.js";
import { EXECUTION_FAULT, type JobOutcome } from "../../../src/node/readOnly/execute.js";
import type { WorkerReply, WorkerRequest, WorkerSetup } from "../../../src/node/readOnly/worker.js";
import { rpc, waitForReceipt } from "../../../src/sdk/rpcClient.js";
import { VmFault } from "../../../src/vm/errors.js";
import type { Vm } from "../../../src/vm/vm.js";
import { deepFrameContract, deepFrameInput } from "../../helpers/deepFrames.js";
import { deployRaw } from "../../helpers/nodeTx.js";
import { rpcError } from "../../helpers/rpcCallError.js";
import { startTestNode, type TestNode } from "../../helpers/testNode.js";

const hex = (b: Uint8Array) => `0x${toHex(b)}`;
const SHAPE = { kind: "wide", size: 64 } as const;

describe("read-only execution faults", () => {
  let node: TestNode;
  let sender: Address;
  let wusd: Address;
  let deep: Address;
  before(async () => {
    node = await startTestNode((config) => {
      config.rpc.callWorkers = 0; // the main thread: the pool's inline slot
    });
    const genesis = await rpc<GenesisInfo>(node.url, "weft_genesis");
    sender = genesis.accounts[0]?.address as Address;
    wusd = genesis.contracts.wusd as Address;
    const code = deepFrameContract(SHAPE);
    const raw = deployRaw({ chainId: 1337n, sender, devIndex: 0, sequence: 0n, gasLimit: 50_000_000n }, code);
    const { hash } = await rpc<{ hash: string }>(node.url, "weft_sendRawTransaction", [hex(raw)]);
    assert.equal((await waitForReceipt<{ status: string }>(node.url, hash)).status, "success");
    deep = contractAddress(sender, new Uint8Array(32), keccak256(code), new Uint8Array(0));
  });
  after(() => node.close());

  it("answers a VmFault on the main thread with -32060 and the fault's code, over JSON-RPC", async () => {
    const vm = node.running.node.vm as { call: Vm["call"] };
    const real = vm.call;
    vm.call = () => {
      throw new VmFault("STACK_OVERFLOW", "V8's stack ran out before the contract's stack budget", [
        "injected",
      ]);
    };
    try {
      const call = await rpcError(
        rpc(node.url, "weft_call", [{ to: wusd, method: "balanceOf", args: hex(new Uint8Array(20)) }]),
      );
      const estimate = await rpcError(
        rpc(node.url, "weft_estimateGas", [
          { sender, calls: [{ target: wusd, method: "balanceOf", args: hex(new Uint8Array(20)) }] },
        ]),
      );
      for (const error of [call, estimate]) {
        assert.equal(error.code, EXECUTION_FAULT);
        assert.equal(EXECUTION_FAULT, -32060);
        assert.match(
          error.message,
          /^execution fault: the node could not finish this call \(STACK_OVERFLOW: /,
        );
        assert.deepEqual(error.data, { fault: "STACK_OVERFLOW", details: ["injected"] });
      }
    } finally {
      vm.call = real;
    }
    // The node still answers normally afterwards.
    const ok = await rpc<{ status: string }>(node.url, "weft_call", [
      { to: wusd, method: "balanceOf", args: hex(new Uint8Array(20)) },
    ]);
    assert.equal(ok.status, "success");
  });

  it("answers a real stack overflow on a read-only worker with -32060 STACK_OVERFLOW", async () => {
    const chain = node.running.node;
    const setup: WorkerSetup = {
      dataDir: node.config.dataDir,
      chainId: chain.options.chainId,
      feeRecipient: chain.options.feeRecipient,
      minBaseFee: chain.minBaseFee,
      gasCap: 30_000_000,
      modules: [],
      // The worker would refuse this stack at start (workerStack.test.ts): here it must run.
      stackCheck: false,
    };
    const url = new URL("../../../src/node/readOnly/worker.js", import.meta.url);
    // A stack far smaller than the VM's budget needs: recursion reaches V8's limit first.
    const worker = new Worker(url, { workerData: setup, resourceLimits: { stackSizeMb: 0.3 } });
    try {
      await new Promise((resolve, reject) => {
        worker.once("message", resolve); // ready
        worker.once("error", reject);
      });
      const ask = (id: number, depth: number): Promise<WorkerReply> =>
        new Promise((resolve, reject) => {
          worker.once("message", resolve);
          worker.once("error", reject);
          const request: WorkerRequest = {
            type: "job",
            id,
            nowMs: chain.clock.nowMs(),
            job: {
              kind: "call",
              caller: sender,
              target: deep,
              method: "run",
              input: deepFrameInput([], depth),
              value: 0n,
            },
          };
          worker.postMessage(request);
        });
      const shallow = await ask(1, 10);
      assert.ok("ok" in shallow && shallow.ok, "the worker runs");
      assert.equal((shallow.outcome as { ok: true; result: { status: string } }).result.status, "success");
      const reply = await ask(2, 6_000);
      assert.ok("ok" in reply, "a job's reply");
      assert.ok(reply.ok, `a VM fault is an outcome, not a worker failure: ${reply.ok ? "" : reply.failure}`);
      const outcome = reply.outcome as JobOutcome;
      assert.ok(!outcome.ok, "no result is taken from a faulted run");
      assert.equal(outcome.error.code, EXECUTION_FAULT);
      assert.equal((outcome.error.data as { fault: string }).fault, "STACK_OVERFLOW");
      assert.match(outcome.error.message, /STACK_OVERFLOW: V8's stack ran out/);
    } finally {
      await worker.terminate();
    }
  });
});
