/**
 * Four validator nodes in one process, each a real ChainNode (LMDB, parallel engine) driven by
 * consensus over an in-process network: blocks are proposed from the pool, checked by
 * re-execution on every other node, committed with their certificate. Every node ends with
 * the same blocks, the same state roots, and certificates that verify against the set.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Address } from "../../../src/codec/address.js";
import { verifyCertificate } from "../../../src/consensus/certificate.js";
import { ConsensusDriver } from "../../../src/consensus/driver.js";
import { FileSignRecordStore, SignGuard } from "../../../src/consensus/signGuard.js";
import { ChainNode } from "../../../src/node/chainNode.js";
import { readCertificate } from "../../../src/node/validator/certificateStore.js";
import { ChainApplication } from "../../../src/node/validator/chainApplication.js";
import { testKeys, testSet } from "../../helpers/consensusKeys.js";
import { tokenTransferRaw } from "../../helpers/nodeTx.js";

const CHAIN_ID = 1337n;
const FEE: Address = "0x00000000000000000000000000000000000000fe";

/** An in-process network: every message reaches every other node after 1-10 ms. */
function memoryNetwork(n: number) {
  const handlers: Array<(bytes: Uint8Array, from: string) => void> = [];
  return Array.from({ length: n }, (_, i) => ({
    broadcast(bytes: Uint8Array) {
      for (const [j, handler] of handlers.entries()) {
        if (j !== i) setTimeout(() => handler(bytes, `node${i}`), 1 + Math.random() * 9);
      }
    },
    onMessage(handler: (bytes: Uint8Array, from: string) => void) {
      handlers[i] = handler;
    },
  }));
}

async function until(done: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  return done();
}

describe("validator nodes", () => {
  it("4 nodes agree block by block through consensus, with re-execution and stored certificates", async () => {
    const root = mkdtempSync(join(tmpdir(), "weft-validators-"));
    const keys = testKeys(4, "node");
    const set = testSet(keys);
    const network = memoryNetwork(4);
    const nodes: ChainNode[] = [];
    const drivers: ConsensusDriver[] = [];
    try {
      for (let i = 0; i < 4; i++) {
        const dir = join(root, `v${i}`);
        const node = await ChainNode.open({
          dataDir: dir,
          chainId: CHAIN_ID,
          feeRecipient: FEE,
          devAccounts: 2,
          workers: 1,
          blockTimeMs: 600_000,
          maxBlockTxs: 1_000,
          blockGasLimit: 30_000_000,
          genesisTime: 1_700_000_000,
        });
        nodes.push(node);
        const key = keys[i] as (typeof keys)[0];
        const feeRecipient = `0x${"0".repeat(39)}${i + 1}` as Address;
        drivers.push(
          new ConsensusDriver({
            chainId: CHAIN_ID.toString(),
            transport: network[i] as (typeof network)[0],
            clock: { schedule: (ms, fire) => void setTimeout(fire, ms) },
            validators: { validatorSetAt: () => ({ set, startHeight: 1 }) },
            app: new ChainApplication(node, { feeRecipient }),
            validator: {
              publicKey: key.publicKey,
              guard: new SignGuard(new FileSignRecordStore(join(dir, "last-signed.bin")), key.secretKey),
            },
            timeouts: {
              propose: { baseMs: 1500, incrementMs: 500 },
              prevote: { baseMs: 500, incrementMs: 250 },
              precommit: { baseMs: 500, incrementMs: 250 },
            },
            rebroadcastMs: 2000,
          }),
        );
      }
      assert.equal(new Set(nodes.map((n) => n.head().hash)).size, 1, "one genesis");
      const dev = nodes[0]?.genesis.accounts[0]?.address as Address;
      const wusd = nodes[0]?.genesis.contracts.wusd as Address;
      const raw = tokenTransferRaw(
        { chainId: CHAIN_ID, sender: dev, devIndex: 0, sequence: 0n },
        wusd,
        FEE,
        5n,
      );
      // The shared mempool's gossip, by hand: every node admits the transaction.
      const hash = nodes.map((n) => n.submit(raw).hash)[0] as string;
      for (const d of drivers) await d.start(1);
      const reached = await until(
        () => nodes.every((n) => n.head().number >= 3 && n.db.tx(hash) !== undefined),
        90_000,
      );
      for (const d of drivers) d.stop();
      assert.ok(reached, `heads: ${nodes.map((n) => n.head().number)}`);
      const top = Math.min(...nodes.map((n) => n.head().number));
      for (let h = 1; h <= top; h++) {
        const blocks = nodes.map((n) => n.db.block(h)?.header);
        assert.equal(new Set(blocks.map((b) => b?.hash)).size, 1, `one block at height ${h}`);
        assert.equal(new Set(blocks.map((b) => b?.stateRoot)).size, 1, `one state root at height ${h}`);
        for (const n of nodes) {
          const cert = readCertificate(n.db, h);
          assert.ok(cert, `node has the certificate of ${h}`);
          const blockHash = Buffer.from(String(blocks[0]?.hash).slice(2), "hex");
          verifyCertificate(cert, set, CHAIN_ID.toString(), { height: h, blockHash });
        }
      }
      for (const n of nodes) assert.equal(n.db.receipt(hash)?.status, "success");
    } finally {
      for (const d of drivers) d.stop();
      for (const n of nodes) await n.close();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
