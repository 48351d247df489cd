/**
 * Test helpers for a chain database on disk: build a small chain in a data directory
 * (genesis plus blocks of token transfers, through the real node code), and change one
 * stored record through LMDB directly, below every check of the node, to simulate damage.
 */
import { open } from "lmdb";
import type { Address } from "../../src/codec/address.js";
import { ChainNode } from "../../src/node/chainNode.js";
import type { ChainDbName } from "../../src/node/store/chainDb.js";
import type { BlockHeader } from "../../src/node/store/records.js";
import { tokenTransferRaw } from "./nodeTx.js";

const FEE: Address = "0x00000000000000000000000000000000000000fe";
const TO: Address = "0x00000000000000000000000000000000000000bb";

/** Creates the chain in `dir`: genesis, then `blocks` blocks of `txsPerBlock` WUSD transfers. */
export async function buildChainDir(
  dir: string,
  blocks = 2,
  txsPerBlock = 3,
): Promise<{ head: BlockHeader; accounts: Address[]; txHashes: string[] }> {
  const node = await ChainNode.open({
    dataDir: dir,
    chainId: 1337n,
    feeRecipient: FEE,
    devAccounts: 3,
    workers: 1,
    blockTimeMs: 1_000,
    maxBlockTxs: 1_000,
    blockGasLimit: 1_000_000_000,
  });
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

/**
 * Rewrites one record of the named database in the chain database in `dir` through LMDB
 * directly: `edit` gets the stored value and returns the new one, or `null` to delete it.
 * Throws if the record does not exist.
 */
export async function editRecord(
  dir: string,
  name: ChainDbName,
  key: Uint8Array,
  edit: (value: Uint8Array) => Uint8Array | null,
): Promise<void> {
  const root = open<Uint8Array, Uint8Array>({
    path: dir,
    maxDbs: 16,
    keyEncoding: "binary",
    encoding: "binary",
  });
  try {
    const db = root.openDB({ name, keyEncoding: "binary", encoding: "binary" });
    const value = db.getBinary(key);
    if (value === undefined)
      throw new Error(`no ${name} record ${Buffer.from(key).toString("hex")} in ${dir}`);
    const next = edit(Uint8Array.from(value));
    if (next === null) db.removeSync(key);
    else db.putSync(key, next);
  } finally {
    await root.close();
  }
}

/** `bytes` with bit 0 of byte `i` flipped (a copy). */
export function flipByte(bytes: Uint8Array, i = 0): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[i] = (out[i] as number) ^ 0x01;
  return out;
}
