/**
 * The hashes of the 256 blocks up to a head, the head first: a block's `recentHashes`
 * (`chain/blockContext.ts`, BLOCKHASH and PREVRANDAO of EVM code, `chain/evmBlock.ts`).
 *
 * Read from the chain database once, then kept per database and moved along as the head
 * advances (one stored block read per new head); a head that is not the child of the one
 * remembered (a rewind, a restart, another reader's newer head) reads the window again.
 */
import type { BlockContext } from "../chain/blockContext.js";
import { BLOCKHASH_WINDOW } from "../chain/evmBlock.js";
import type { ChainDb } from "./store/chainDb.js";
import { type BlockHeader, unhex } from "./store/records.js";

/** Where the hashes come from: stored blocks by number. */
export type BlockSource = Pick<ChainDb, "block">;

interface Window {
  head: string;
  hashes: Uint8Array[];
}

const windows = new WeakMap<BlockSource, Window>();

/** Hashes of `head` and the blocks before it (at most 256), `head` first. */
export function recentBlockHashes(blocks: BlockSource, head: BlockHeader): readonly Uint8Array[] {
  const known = windows.get(blocks);
  if (known !== undefined && known.head === head.hash) return known.hashes;
  let hashes: Uint8Array[];
  if (known !== undefined && known.head === head.parentHash) {
    hashes = [unhex(head.hash), ...known.hashes.slice(0, BLOCKHASH_WINDOW - 1)];
  } else {
    hashes = [unhex(head.hash)];
    for (let n = head.number - 1; n >= 0 && hashes.length < BLOCKHASH_WINDOW; n--) {
      const stored = blocks.block(n);
      if (stored === undefined) break;
      hashes.push(unhex(stored.header.hash));
    }
  }
  windows.set(blocks, { head: head.hash, hashes });
  return hashes;
}

/**
 * The context `head` itself ran in, as `eth_call` at "latest" sees it (geth's and Anvil's
 * calls run in the latest block's context, not the next one's): its number, time, base fee,
 * fee recipient and gas limit, and the hashes of the 256 blocks before it, its parent first.
 */
export function headBlockContext(blocks: BlockSource, head: BlockHeader, chainId: bigint): BlockContext {
  const before = recentBlockHashes(blocks, head).slice(1);
  const oldest = head.number - BLOCKHASH_WINDOW;
  if (before.length === BLOCKHASH_WINDOW - 1 && oldest >= 0) {
    const stored = blocks.block(oldest);
    if (stored !== undefined) before.push(unhex(stored.header.hash));
  }
  return {
    height: BigInt(head.number),
    time: BigInt(head.time),
    chainId,
    feeRecipient: head.feeRecipient,
    baseFee: BigInt(head.baseFee ?? "0"),
    recentHashes: before,
    gasLimit: BigInt(head.gasLimit),
  };
}
