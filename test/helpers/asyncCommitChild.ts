/**
 * The child process of `asyncCommitCrash.test.ts`: opens the chain database in `argv[2]`
 * (with its genesis if new) and commits block after block through the state store's
 * `commitAsync`, each writing 1,500 keys of its own, a counter key and 200 Merkle records.
 * Prints `issued <n>` once block n's writes are on lmdb-js's write thread and `acked <n>`
 * once it is committed and flushed, until it is killed.
 */
import { commitGenesis } from "../../src/node/commitGenesis.js";
import { openChainDb } from "../../src/node/store/chainDb.js";
import { encodeBlock } from "../../src/node/store/encodeBlock.js";
import type { BlockHeader } from "../../src/node/store/records.js";
import type { WriteSet } from "../../src/state/storage.js";

export const KEYS_PER_BLOCK = 1_500;
export const COUNTER_KEY = "cc00";

/** Block `n`'s `i`-th own key, and its value. */
export const blockKey = (n: number, i: number): string =>
  `dd${n.toString(16).padStart(8, "0")}${i.toString(16).padStart(4, "0")}`;
export const blockValue = (n: number, i: number): Uint8Array => new Uint8Array(100).fill((n * 31 + i) & 0xff);

export function blockWrites(n: number): WriteSet {
  const writes: WriteSet = new Map();
  for (let i = 0; i < KEYS_PER_BLOCK; i++) writes.set(blockKey(n, i), blockValue(n, i));
  const counter = new Uint8Array(4);
  new DataView(counter.buffer).setUint32(0, n);
  writes.set(COUNTER_KEY, counter);
  return writes;
}

async function main(dir: string): Promise<void> {
  const db = openChainDb(dir);
  if (db.head() === undefined)
    commitGenesis(db, {
      dataDir: dir,
      chainId: 7n,
      feeRecipient: "0x00000000000000000000000000000000000000fe",
      devAccounts: 1,
      genesisTime: 1_700_000_000,
      workers: 1,
      blockTimeMs: 1_000,
      maxBlockTxs: 100,
      blockGasLimit: 1_000_000_000,
    });
  const commitAsync = db.state.commitAsync;
  if (commitAsync === undefined) throw new Error("the chain database's state store has no commitAsync");
  for (;;) {
    const parent = db.head() as BlockHeader;
    const n = parent.number + 1;
    const header: BlockHeader = {
      ...parent,
      number: n,
      parentHash: parent.hash,
      hash: `0x${n.toString(16).padStart(64, "0")}`,
    };
    const merkleWrites = new Map<string, Uint8Array>();
    for (let i = 0; i < 200; i++) merkleWrites.set(`node-${n}-${i}`, new Uint8Array(64).fill(n & 0xff));
    db.stageBlock(
      encodeBlock({ block: { header, txHashes: [] }, rawTxs: [], receipts: [], merkleWrites, meta: {} }),
    );
    const done = commitAsync(blockWrites(n));
    process.stdout.write(`issued ${n}\n`);
    await done;
    await db.flushed();
    process.stdout.write(`acked ${n}\n`);
  }
}

if (process.argv[2] !== undefined) await main(process.argv[2]);
