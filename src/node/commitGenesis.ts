/** Block 0 of a new data directory: the genesis state and its block, written in one commit. */
import { toHex } from "../codec/bytes.js";
import { MerkleTree } from "../state/merkle/index.js";
import type { ChainNodeOptions } from "./chainNodeOptions.js";
import { buildGenesis, type GenesisInfo } from "./genesis/genesis.js";
import type { ChainDb } from "./store/chainDb.js";
import { encodeBlock } from "./store/encodeBlock.js";
import { type BlockHeader, blockHash, hex, type StoredBlock, txRoot, ZERO_HASH } from "./store/records.js";

/** Writes block 0 and the genesis state into an empty `db` (a node opening a new directory; state sync before it installs). */
export function commitGenesis(db: ChainDb, options: ChainNodeOptions): GenesisInfo {
  const time = options.genesisTime ?? Math.floor(Date.now() / 1000);
  const { writes, info } = buildGenesis({
    chainId: options.chainId,
    time,
    accounts: options.devAccounts,
    feeRecipient: options.feeRecipient,
    ...(options.network === undefined ? {} : { network: options.network }),
    ...(options.ethDevAccounts === undefined ? {} : { ethDevAccounts: options.ethDevAccounts }),
    ...(options.genesisAccounts === undefined ? {} : { genesisAccounts: options.genesisAccounts }),
    ...(options.genesisAlloc === undefined ? {} : { alloc: options.genesisAlloc }),
  });
  const tree = new MerkleTree(db.merkle);
  const update = tree.update(writes);
  const fields: Omit<BlockHeader, "hash"> = {
    number: 0,
    parentHash: ZERO_HASH,
    time,
    chainId: options.chainId.toString(),
    feeRecipient: options.feeRecipient,
    stateRoot: hex(update.root),
    txRoot: txRoot([]),
    receiptsRoot: `0x${toHex(new Uint8Array(32))}`,
    gasUsed: 0,
    gasLimit: options.blockGasLimit,
    baseFee: (options.minBaseFee ?? 1n).toString(),
    txCount: 0,
  };
  const block: StoredBlock = { header: { ...fields, hash: blockHash(fields) }, txHashes: [] };
  db.stageBlock(
    encodeBlock({
      block,
      rawTxs: [],
      receipts: [],
      merkleWrites: update.nodeWrites,
      meta: { genesis: info },
    }),
  );
  db.state.commit(writes);
  return info;
}
