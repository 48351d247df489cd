/**
 * Crash safety, for real: a node process under load is killed with SIGKILL at random
 * moments, many times over one data directory. After each kill the database must hold a
 * consistent chain: every block links to its parent, the stored Merkle tree's root and a
 * root recomputed from the whole state both equal the head's state root, and every
 * transaction whose receipt the node served before the kill is still there. The node then
 * restarts at that head and carries on. `WEFT_CRASH_RUNS=n` runs more kills.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import type { GenesisInfo } from "../../../src/node/genesis/genesis.js";
import { openChainDb } from "../../../src/node/store/chainDb.js";
import { hex } from "../../../src/node/store/records.js";
import { MemoryNodeStore, MerkleTree } from "../../../src/state/merkle/index.js";
import { rpc, startNodeProcess } from "../../helpers/nodeProcess.js";
import { tokenTransferRaw } from "../../helpers/nodeTx.js";

const RUNS = Number(process.env.WEFT_CRASH_RUNS ?? 5);
const TO: Address = "0x00000000000000000000000000000000000000bb";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Checks the database in `dir` after a kill; returns the head number. */
async function checkDatabase(dir: string, acknowledged: Set<string>): Promise<number> {
  const db = openChainDb(dir);
  try {
    const head = db.head();
    assert.ok(head !== undefined, "a head block survives");
    let parent = "";
    for (let n = 0; n <= head.number; n++) {
      const block = db.block(n);
      assert.ok(block !== undefined, `block ${n} is stored`);
      if (n > 0) assert.equal(block.header.parentHash, parent, `block ${n} links to its parent`);
      parent = block.header.hash;
      for (const h of block.txHashes) assert.ok(db.receipt(h) !== undefined, `receipt of ${h} in block ${n}`);
    }
    assert.equal(hex(new MerkleTree(db.merkle).root()), head.stateRoot, "stored tree root = head state root");
    const all = new Map<string, Uint8Array | null>();
    for (const [k, v] of db.state.iterate("")) all.set(k, v);
    const fresh = new MerkleTree(new MemoryNodeStore()).update(all).root;
    assert.equal(hex(fresh), head.stateRoot, "root recomputed from the whole state = head state root");
    for (const h of acknowledged)
      assert.ok(db.receipt(h) !== undefined, `acknowledged transaction ${h} is kept`);
    return head.number;
  } finally {
    await db.close();
  }
}

describe("crash safety", () => {
  it(`survives ${RUNS} SIGKILLs under load with a consistent, complete chain`, {
    timeout: 600_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-crash-"));
    const random = rng(20261125);
    const acknowledged = new Set<string>();
    let lastHead = 0;
    try {
      for (let run = 0; run < RUNS; run++) {
        const node = await startNodeProcess(dir, ["--block-time-ms", "20"]);
        const genesis = await rpc<GenesisInfo>(node.url, "weft_genesis");
        const wusd = genesis.contracts.wusd as Address;
        const status = await rpc<{ head: { number: number } }>(node.url, "weft_status");
        assert.ok(
          status.head.number >= lastHead,
          `restarted at ${status.head.number}, before the kill ${lastHead}`,
        );
        const senders = genesis.accounts.map((a, i) => ({ address: a.address as Address, index: i }));
        const next = new Map<Address, bigint>();
        for (const s of senders)
          next.set(s.address, BigInt(await rpc<string>(node.url, "weft_nextNonce", [s.address])));
        let killed = false;
        // Even runs kill at a random moment from the start (startup included); odd runs at a
        // random moment after this run's first acknowledged receipt, so that committed load
        // is always there to check however slow the machine is.
        const delay = 150 + Math.floor(random() * 900);
        const ackedBefore = acknowledged.size;
        const load = (async () => {
          const sent: string[] = [];
          while (!killed) {
            const batch = senders.map((s) => {
              const sequence = next.get(s.address) as bigint;
              next.set(s.address, sequence + 1n);
              const raw = tokenTransferRaw(
                { chainId: 1337n, sender: s.address, devIndex: s.index, sequence },
                wusd,
                TO,
                1n,
              );
              return {
                jsonrpc: "2.0",
                id: sent.length,
                method: "weft_sendRawTransaction",
                params: [`0x${Buffer.from(raw).toString("hex")}`],
              };
            });
            try {
              const res = await fetch(node.url, {
                method: "POST",
                body: JSON.stringify(batch),
                headers: { "content-type": "application/json" },
              });
              const answers = (await res.json()) as Array<{ result?: { hash: string } }>;
              for (const a of answers) if (a.result) sent.push(a.result.hash);
              // A receipt the node served counts as committed: it must survive the kill.
              for (const h of sent.splice(0, Math.max(0, sent.length - 40))) {
                const r = await rpc<unknown>(node.url, "weft_getReceipt", [h]);
                if (r !== null) acknowledged.add(h);
                else sent.push(h);
              }
            } catch {
              return; // the node died mid-request
            }
          }
        })();
        const started = Date.now();
        if (run % 2 === 1)
          while (acknowledged.size === ackedBefore && Date.now() - started < 60_000)
            await new Promise((r) => setTimeout(r, 10));
        const killAt = Date.now() + (run % 2 === 1 ? delay - 150 : delay);
        while (Date.now() < killAt) await new Promise((r) => setTimeout(r, 10));
        node.child.kill("SIGKILL");
        killed = true;
        await node.exited;
        await load;
        lastHead = await checkDatabase(dir, acknowledged);
      }
      console.log(
        `crash test: ${RUNS} kills, head ${lastHead}, ${acknowledged.size} acknowledged transactions kept`,
      );
      assert.ok(acknowledged.size > 0, "load was committed between kills");
      assert.ok(lastHead > 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
