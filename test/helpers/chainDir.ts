/**
 * Test helpers for a chain database on disk: build a small chain in a data directory
 * (genesis plus blocks of token transfers, through the real node code), keep copies of it
 * to damage one each, change one stored record through LMDB directly, below every check of
 * the node, and run `weft db check` on a directory.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { fileURLToPath } from "node:url";
import { type Database, open } from "lmdb";
import type { Address } from "../../src/codec/address.js";
import { utf8 } from "../../src/codec/bytes.js";
import { ChainNode, type ChainNodeOptions } from "../../src/node/chainNode.js";
import type { ChainDbName } from "../../src/node/store/chainDb.js";
import { decodeReceiptRecord, RECEIPT_RECORD_V1 } from "../../src/node/store/receiptRecord.js";
import type { BlockHeader } from "../../src/node/store/records.js";
import { tokenTransferRaw } from "./nodeTx.js";

const FEE: Address = "0x00000000000000000000000000000000000000fe";
const TO: Address = "0x00000000000000000000000000000000000000bb";

const CLI = fileURLToPath(new URL("../../src/cli/weft.js", import.meta.url));

/** The options of the node that built a chain directory (`buildChainDir`), for opening it again; `extra` adds or overrides. */
export function chainDirNodeOptions(dir: string, extra: Partial<ChainNodeOptions> = {}): ChainNodeOptions {
  return {
    dataDir: dir,
    chainId: 1337n,
    feeRecipient: FEE,
    devAccounts: 3,
    workers: 1,
    blockTimeMs: 1_000,
    maxBlockTxs: 1_000,
    blockGasLimit: 1_000_000_000,
    ...extra,
  };
}

export type BuiltChain = { head: BlockHeader; accounts: Address[]; txHashes: string[] };

/** Creates the chain in `dir`: genesis, then `blocks` blocks of `txsPerBlock` WUSD transfers. */
export async function buildChainDir(dir: string, blocks = 2, txsPerBlock = 3): Promise<BuiltChain> {
  const node = await ChainNode.open(chainDirNodeOptions(dir));
  try {
    const sender = node.genesis.accounts[0]?.address as Address;
    const wusd = node.genesis.contracts.wusd as Address;
    const txHashes: string[] = [];
    let sequence = 0n;
    for (let b = 0; b < blocks; b++) {
      for (let i = 0; i < txsPerBlock; i++) {
        const raw = tokenTransferRaw(
          { chainId: 1337n, sender, devIndex: 0, sequence: sequence++ },
          wusd,
          TO,
          1n,
        );
        txHashes.push(node.submit(raw).hash);
      }
      await node.produceNow();
    }
    return { head: node.head(), accounts: node.genesis.accounts.map((a) => a.address as Address), txHashes };
  } finally {
    await node.close();
  }
}

/** Runs `use` on the named database of the chain database in `dir`, opened through LMDB directly. */
async function withTable(
  dir: string,
  name: ChainDbName,
  use: (db: Database<Uint8Array, Uint8Array>) => void,
): Promise<void> {
  const root = open<Uint8Array, Uint8Array>({
    path: dir,
    maxDbs: 16,
    keyEncoding: "binary",
    encoding: "binary",
  });
  try {
    use(root.openDB({ name, keyEncoding: "binary", encoding: "binary" }));
  } finally {
    await root.close();
  }
}

/**
 * Rewrites one record of the named database in the chain database in `dir` through LMDB
 * directly: `edit` gets the stored value and returns the new one, or `null` to delete it.
 * Throws if the record does not exist.
 */
export function editRecord(
  dir: string,
  name: ChainDbName,
  key: Uint8Array,
  edit: (value: Uint8Array) => Uint8Array | null,
): Promise<void> {
  return withTable(dir, name, (db) => {
    const value = db.getBinary(key);
    if (value === undefined)
      throw new Error(`no ${name} record ${Buffer.from(key).toString("hex")} in ${dir}`);
    const next = edit(Uint8Array.from(value));
    if (next === null) db.removeSync(key);
    else db.putSync(key, next);
  });
}

/** Stores `value` under `key` in the named database in `dir` through LMDB directly (a record no node wrote). */
export function putRecord(dir: string, name: ChainDbName, key: Uint8Array, value: Uint8Array): Promise<void> {
  return withTable(dir, name, (db) => db.putSync(key, value));
}

/** `bytes` with bit 0 of byte `i` flipped (a copy). */
export function flipByte(bytes: Uint8Array, i = 0): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[i] = (out[i] as number) ^ 0x01;
  return out;
}

/**
 * A chain built once for a test file (in its `before`, removed in its `after`), and copies
 * of it to damage, one a test: `clean` is the built directory, `copy()` a fresh copy.
 * @example const fixture = chainDirFixture("weft-dbcheck-", 2, 3); it("…", () => { const dir = fixture.copy(); … });
 */
export function chainDirFixture(
  prefix: string,
  blocks = 2,
  txsPerBlock = 3,
): {
  readonly base: string;
  readonly clean: string;
  readonly chain: BuiltChain;
  copy(name?: string): string;
} {
  let base = "";
  let chain: BuiltChain | undefined;
  let copies = 0;
  before(async () => {
    base = mkdtempSync(join(tmpdir(), prefix));
    chain = await buildChainDir(join(base, "clean"), blocks, txsPerBlock);
  });
  after(() => rmSync(base, { recursive: true, force: true }));
  return {
    get base() {
      return base;
    },
    get clean() {
      return join(base, "clean");
    },
    get chain() {
      if (chain === undefined) throw new Error("the chain directory is built in the test file's before hook");
      return chain;
    },
    copy(name = `copy-${copies++}`) {
      const dir = join(base, name);
      cpSync(join(base, "clean"), dir, { recursive: true });
      return dir;
    },
  };
}

/**
 * An `editRecord` edit of a JSON record: `edit` changes the parsed value in place. A binary
 * receipt record (`receiptRecord.ts`) is read as its receipt and written back as JSON, the
 * form older nodes wrote (still read).
 */
export const editJson =
  (edit: (value: Record<string, unknown>) => void) =>
  (value: Uint8Array): Uint8Array => {
    const parsed = (
      value[0] === RECEIPT_RECORD_V1
        ? decodeReceiptRecord(value)
        : JSON.parse(Buffer.from(value).toString("utf8"))
    ) as Record<string, unknown>;
    edit(parsed);
    return utf8(JSON.stringify(parsed));
  };

/** A block number as the chain database keys it (u64, big-endian). */
export function u64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

/** `weft db check --dir dir` (with `--json` when `json`): exit code and output. */
export function runDbCheck(dir: string, json = false): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...(json ? ["--json"] : []), "db", "check", "--dir", dir], {
    encoding: "utf8",
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
