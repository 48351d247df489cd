/**
 * The context the next block will run with, made again only when what it is made of
 * changed: the head, the second, the chain id, the fee recipient and the minimum base fee.
 * Admission asks for it for every transaction (`ChainNode.nextBlock`); nothing changes a
 * context once made, so the last one can be given again.
 */
import type { BlockContext } from "../chain/blockContext.js";
import type { Address } from "../codec/address.js";
import { nextBlockContext } from "./producer.js";
import type { BlockSource } from "./recentHashes.js";
import type { BlockHeader } from "./store/records.js";

export class NextBlockCache {
  private last: { head: BlockHeader; second: number; minBaseFee: bigint; context: BlockContext } | undefined;

  /** The next block's context after `head` at `nowMs`, the last one when nothing it is made of changed. */
  context(
    head: BlockHeader,
    blocks: BlockSource,
    chainId: bigint,
    feeRecipient: Address,
    minBaseFee: bigint,
    nowMs: number,
  ): BlockContext {
    const second = Math.floor(nowMs / 1000);
    const last = this.last;
    if (
      last !== undefined &&
      last.head === head &&
      last.second === second &&
      last.context.chainId === chainId &&
      last.context.feeRecipient === feeRecipient &&
      last.minBaseFee === minBaseFee
    )
      return last.context;
    const context = nextBlockContext(head, blocks, chainId, feeRecipient, minBaseFee, nowMs);
    this.last = { head, second, minBaseFee, context };
    return context;
  }
}
