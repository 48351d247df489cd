/**
 * Every thread that runs contracts checks its own stack when it starts: the engine's,
 * admission's and read-only execution's workers, not only the node's main thread. A worker
 * made with too small a stack fails loudly at start with `VmFault("STACK_TOO_SMALL")`
 * (through `EngineStartError` from the generic engine), and a node whose workers would have
 * it refuses to open, instead of trusting them and faulting on some deep call later.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { chainExecutorModule } from "../../../src/chain/executorModule.js";
import { createParallelEngine, EngineStartError } from "../../../src/engine/parallel/index.js";
import { AdmissionPool } from "../../../src/node/admissionPool.js";
import { ChainNode } from "../../../src/node/chainNode.js";
import { DEFAULT_READ_ONLY, ReadOnlyPool } from "../../../src/node/readOnly/pool.js";
import { VmFault } from "../../../src/vm/errors.js";
import { createVm } from "../../../src/vm/vm.js";
import { blockContext } from "../../helpers/chain.js";

/** Enough for Node to load the worker's modules, too little for the VM's stack budget. */
const SMALL_MB = 0.5;

const isStackFault = (what: string) => (error: unknown) => {
  assert.ok(error instanceof VmFault, `${what}: ${String(error)}`);
  assert.equal(error.code, "STACK_TOO_SMALL");
  assert.match(error.message, /stack holds \d+ stack units of contract frames; the VM needs 56192/);
  return true;
};

describe("workers check their own stack at start", () => {
  const dir = mkdtempSync(join(tmpdir(), "weft-worker-stack-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("an engine worker refuses a small stack: STACK_TOO_SMALL from the engine", async () => {
    await assert.rejects(
      createParallelEngine({ workers: 1, executor: chainExecutorModule(), stackSizeMb: SMALL_MB }),
      (error: unknown) => {
        assert.ok(error instanceof EngineStartError, String(error));
        assert.equal(error.code, "STACK_TOO_SMALL");
        assert.match(error.message, /an engine worker's stack holds/);
        assert.match(error.details.join(" "), /stackSizeMb/);
        return true;
      },
    );
    // With the stated stack it starts.
    const engine = await createParallelEngine({ workers: 1, executor: chainExecutorModule() });
    await engine.close();
  });

  it("an admission worker refuses a small stack", async () => {
    const pool = new AdmissionPool(dir, 1, () => blockContext(), [], SMALL_MB);
    try {
      await assert.rejects(pool.ready, isStackFault("admission"));
    } finally {
      await pool.close();
    }
  });

  it("a read-only worker refuses a small stack, and the pool refuses jobs with it instead of respawning", async () => {
    const vm = createVm();
    const pool = new ReadOnlyPool(
      {
        dataDir: dir,
        chainId: 1337n,
        feeRecipient: "0x00000000000000000000000000000000000000fe",
        minBaseFee: 1n,
        nowMs: () => Date.now(),
        inline: () => ({ vm, read: () => undefined, block: blockContext() }),
        logs: () => assert.fail("no log query runs on the main thread here"),
        modules: () => [],
        stackSizeMb: SMALL_MB,
      },
      { ...DEFAULT_READ_ONLY, workers: 1 },
    );
    try {
      await assert.rejects(pool.ready, isStackFault("read-only"));
      const job = {
        kind: "call" as const,
        caller: "0x00000000000000000000000000000000000000aa" as const,
        target: "0x00000000000000000000000000000000000000bb" as const,
        method: "x",
        input: new Uint8Array(0),
        value: 0n,
      };
      await assert.rejects(pool.run("c", job), isStackFault("read-only job"));
    } finally {
      await pool.close();
    }
  });

  it("a node whose workers would have too small a stack refuses to open", async () => {
    await assert.rejects(
      ChainNode.open({
        dataDir: dir,
        chainId: 1337n,
        feeRecipient: "0x00000000000000000000000000000000000000fe",
        devAccounts: 1,
        workers: 1,
        blockTimeMs: 1_000,
        maxBlockTxs: 100,
        blockGasLimit: 100_000_000,
        workerStackMb: SMALL_MB,
      }),
      isStackFault("node"),
    );
  });
});
