/**
 * The gossip topics of a chain and their size limits. Names carry the chain id and a
 * version, so two chains (or two wire versions) never share a mesh:
 *
 *   /weft/<chainId>/tx/1         batches of raw transactions (`txBatch.ts`)
 *   /weft/<chainId>/consensus/1  consensus messages: proposals, votes (bytes consensus defines)
 *   /weft/<chainId>/evidence/1   evidence of misbehaviour: two conflicting signed votes
 */
import { MAX_TX_BYTES } from "../chain/tx/envelope.js";

export interface ChainTopics {
  tx: string;
  consensus: string;
  evidence: string;
}

export function chainTopics(chainId: bigint): ChainTopics {
  return {
    tx: `/weft/${chainId}/tx/1`,
    consensus: `/weft/${chainId}/consensus/1`,
    evidence: `/weft/${chainId}/evidence/1`,
  };
}

/** Most bytes of one transaction batch: one largest transaction and its framing, or many small ones. */
export const MAX_TX_BATCH_BYTES = MAX_TX_BYTES + 1024;
/** Most transactions in one batch. */
export const MAX_TX_BATCH_COUNT = 1024;
/** Most bytes of one consensus message (a proposal carries its block). */
export const MAX_CONSENSUS_MESSAGE_BYTES = 4 * 1024 * 1024;
/** Most bytes of one evidence message: two votes and their signatures, about 420 bytes (the same bound as in a block). */
export const MAX_EVIDENCE_BYTES = 1024;
