/**
 * A node running deploy-then-call blocks in parallel, restarted between two of them: the
 * code a block deploys is prepared once, on the engine's worker that ran the deployment,
 * and the main thread commits it (and keeps its prepared form, `vm/preparedForm.ts`) from
 * that worker's module without preparing it again (`vm/modulePeers.ts`). Blocks, receipts,
 * gas and roots are those of a node running the same blocks sequentially; after the
 * restart, the forms kept from shared modules are sound (restored, nothing prepared).
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { probeModule } from "../../../bench/lib/calibrationProbes.js";
import { DEPLOY_ARGS, DEPLOY_METHOD, DEPLOY_TARGET } from "../../../src/chain/executeEnvelope.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import { type Address, contractAddress } from "../../../src/codec/address.js";
import { keccak256 } from "../../../src/codec/hash.js";
import { ChainNode, type ChainNodeOptions } from "../../../src/node/chainNode.js";
import { readSequence } from "../../../src/node/producer.js";
import { callsRaw } from "../../helpers/nodeTx.js";

const SENDERS = 4;
const PROBES = 5;
const TIME = 1_900_000_000;
const options = (dir: string, parallel: boolean): ChainNodeOptions => ({
  dataDir: dir,
  chainId: 1337n,
  feeRecipient: "0x00000000000000000000000000000000000000fe",
  devAccounts: SENDERS,
  workers: 2,
  minParallelTxs: parallel ? 0 : 1_000_000,
  blockTimeMs: 1_000,
  maxBlockTxs: 1_000,
  blockGasLimit: 3_000_000_000,
});

/** Deploys `PROBES` new codes from the first sender, and has every other sender call each of them, in one block. */
async function deployThenCall(node: ChainNode, round: number) {
  const senders = node.genesis.accounts.map((a) => a.address as Address);
  const deployer = senders[0] as Address;
  const probes: Address[] = [];
  const deployments = [];
  for (let i = 0; i < PROBES; i++) {
    const code = probeModule("", "", 3, 1_500 + 10 * round + i);
    const salt = new Uint8Array(32);
    salt[0] = i;
    probes.push(contractAddress(deployer, salt, keccak256(code), new Uint8Array(0)));
    const args = encodeAbi(DEPLOY_ARGS, [code, new Uint8Array(0), salt]);
    deployments.push({ target: DEPLOY_TARGET, method: DEPLOY_METHOD, args, value: 0n });
  }
  // One transaction deploying them all, paying more: it runs first (selection is by price).
  const sequence = readSequence(node.state, deployer, 0n);
  node.submit(
    callsRaw(
      {
        chainId: 1337n,
        sender: deployer,
        devIndex: 0,
        sequence,
        gasLimit: 500_000_000n,
        priorityFee: 5n,
        maxFee: 20n,
      },
      deployments,
    ),
  );
  for (let s = 1; s < SENDERS; s++) {
    const sender = senders[s] as Address;
    const sequence = readSequence(node.state, sender, 0n);
    const calls = probes.map((target) => ({ target, method: "noop", args: new Uint8Array(0), value: 0n }));
    node.submit(callsRaw({ chainId: 1337n, sender, devIndex: s, sequence, gasLimit: 50_000_000n }, calls));
  }
  const before = { ...node.vm.cache.stats };
  node.clock.setNext(TIME + round);
  const produced = await node.produceNow();
  assert.ok(produced !== undefined);
  assert.equal(produced.receipts.length, SENDERS);
  for (const r of produced.receipts) assert.equal(r.status, "success", JSON.stringify(r));
  const stats = node.vm.cache.stats;
  return {
    header: produced.block.header,
    receipts: produced.receipts,
    mode: produced.block.execution?.mode,
    preparedAtCommit: stats.compiles - before.compiles,
    shared: stats.shared - before.shared,
  };
}

describe("same-block code on a node, across a restart", () => {
  const base = mkdtempSync(join(tmpdir(), "weft-same-block-"));
  after(() => rmSync(base, { recursive: true, force: true }));

  it("prepared once, by the deploying worker; the same blocks as sequential; kept forms sound after the restart", async () => {
    const runs: Record<string, Array<Awaited<ReturnType<typeof deployThenCall>>>> = {};
    // One genesis for both (its time is the clock's when the directory is made).
    const genesis = join(base, "genesis");
    await (await ChainNode.open(options(genesis, false))).close();
    for (const parallel of [false, true]) {
      const dir = join(base, parallel ? "parallel" : "sequential");
      cpSync(genesis, dir, { recursive: true });
      const list: Array<Awaited<ReturnType<typeof deployThenCall>>> = [];
      for (const round of [0, 1]) {
        const node = await ChainNode.open(options(dir, parallel));
        try {
          if (round === 1) {
            // Restarted: every stored code comes from its kept form, prepared by nobody.
            assert.equal(node.vm.cache.stats.compiles, 0, "prepared at the restart");
            assert.equal(node.vm.cache.stats.restored, node.vm.cache.size);
          }
          list.push(await deployThenCall(node, round));
        } finally {
          await node.close();
        }
      }
      runs[parallel ? "parallel" : "sequential"] = list;
    }
    const [sequential, parallel] = [runs.sequential ?? [], runs.parallel ?? []];
    for (const round of [0, 1]) {
      const seq = sequential[round];
      const par = parallel[round];
      assert.ok(seq !== undefined && par !== undefined);
      assert.equal(par.mode, "parallel", `round ${round}`);
      assert.deepEqual(par.receipts, seq.receipts, `round ${round}: receipts and gas`);
      assert.equal(par.header.stateRoot, seq.header.stateRoot, `round ${round}: state root`);
      assert.equal(par.header.hash, seq.header.hash, `round ${round}: block hash`);
      // The main thread committed the workers' modules: it prepared nothing itself.
      assert.equal(par.preparedAtCommit, 0, `round ${round}: prepared on the main thread`);
      assert.equal(par.shared, PROBES, `round ${round}: modules taken from the workers`);
    }
  });
});
