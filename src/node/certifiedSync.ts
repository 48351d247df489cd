/**
 * Block sync for a chain run by consensus: what a node serves to peers that catch up, and
 * what it does with the blocks it fetches (`net/blockSync.ts`, `net/catchUp.ts`).
 *
 * Served: block `n` as the value consensus decided (`validator/blockValue.ts`: header fields,
 * proposer, last commit, evidence, raw transactions), stored with its commit certificate
 * (`validator/certificateStore.ts`). A block without them (genesis, or a chain without
 * consensus) is not served: the answer stops before it.
 *
 * Applied, in order, each block only after three checks, so a peer cannot make us store
 * anything consensus did not decide:
 * 1. the certificate decodes and proves a commit of this block's hash at this height by the
 *    validator set of that height (`consensus/certificate.ts` `verifyCertificate`);
 * 2. the block re-executes on our state to the same header hash, hence the same state root,
 *    tx root and receipts root (`ChainApplication.validateValue`);
 * 3. it is committed with its certificate in one LMDB transaction (`ChainApplication.commit`).
 * A failure throws `CertifiedSyncError`; `catchUp` then blames the peer and asks another.
 * A running node applies them through its consensus driver instead (`applyThroughConsensus`,
 * used by `validator/chainSync.ts`), so that consensus moves on with the chain.
 */
import { fromHex } from "../codec/bytes.js";
import { type CommitCertificate, decodeCertificate, verifyCertificate } from "../consensus/certificate.js";
import type { Decision } from "../consensus/decisionSync.js";
import type { ConsensusDriver } from "../consensus/driver.js";
import type { ValidatorSetSource } from "../consensus/interfaces.js";
import type { Value } from "../consensus/types.js";
import type { BlockSource } from "../net/blockSync.js";
import type { SyncBlock } from "../net/syncMessages.js";
import type { ChainDb } from "./store/chainDb.js";
import { decodeBlockValue } from "./validator/blockValue.js";
import { certificateKey, valueKey } from "./validator/certificateStore.js";
import type { ChainApplication } from "./validator/chainApplication.js";

/** `DECODE`: the block or certificate does not decode; `CERTIFICATE`: it proves nothing for this block; `EXECUTION`: re-execution gives another header. */
export type CertifiedSyncErrorCode = "DECODE" | "HEIGHT" | "CERTIFICATE" | "EXECUTION";

export class CertifiedSyncError extends Error {
  constructor(
    readonly code: CertifiedSyncErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "CertifiedSyncError";
  }
}

/** The chain database's certified blocks, as block sync serves them. */
export function chainBlockSource(db: Pick<ChainDb, "meta">): BlockSource {
  return {
    block(height) {
      const certificate = db.meta<string>(certificateKey(height));
      const value = db.meta<string>(valueKey(height));
      if (certificate === undefined || value === undefined) return undefined;
      return { height, block: fromHex(value), certificate: fromHex(certificate) };
    },
  };
}

/** Block `height` as the decision consensus made (value and certificate), from the store; undefined without them. */
export function storedDecision(db: Pick<ChainDb, "meta">, height: number): Decision | undefined {
  const certificate = db.meta<string>(certificateKey(height));
  const value = db.meta<string>(valueKey(height));
  if (certificate === undefined || value === undefined) return undefined;
  const bytes = fromHex(value);
  return {
    height,
    value: { hash: fromHex(decodeBlockValue(bytes).headerHash), bytes },
    certificate: decodeCertificate(fromHex(certificate)),
  };
}

/** A fetched block as consensus takes it: its value (id = header hash) and its decoded certificate. */
export interface CertifiedBlock {
  value: Value;
  certificate: CommitCertificate;
}

/** Decodes a fetched block and checks check 1 (see the module's comment). */
export function checkCertifiedBlock(
  block: SyncBlock,
  validators: ValidatorSetSource,
  chainId: string,
): CertifiedBlock {
  let value: Value;
  let certificate: CommitCertificate;
  try {
    const decoded = decodeBlockValue(block.block);
    if (decoded.number !== block.height)
      throw new CertifiedSyncError("HEIGHT", `block ${decoded.number} sent as height ${block.height}`);
    value = { hash: fromHex(decoded.headerHash), bytes: block.block };
    certificate = decodeCertificate(block.certificate);
  } catch (error) {
    if (error instanceof CertifiedSyncError) throw error;
    throw new CertifiedSyncError("DECODE", `block ${block.height}: ${String(error)}`);
  }
  try {
    const { set } = validators.validatorSetAt(block.height);
    verifyCertificate(certificate, set, chainId, { height: block.height, blockHash: value.hash });
  } catch (error) {
    throw new CertifiedSyncError("CERTIFICATE", `block ${block.height}: ${String(error)}`);
  }
  return { value, certificate };
}

/** Applies fetched blocks to `app`'s node after checking them (see the module's comment). */
export function applyCertifiedBlocks(
  app: Pick<ChainApplication, "validateValue" | "commit">,
  validators: ValidatorSetSource,
  chainId: string,
): (block: SyncBlock) => Promise<void> {
  return async (block) => {
    const { value, certificate } = checkCertifiedBlock(block, validators, chainId);
    if (!(await app.validateValue(block.height, value)))
      throw new CertifiedSyncError(
        "EXECUTION",
        `block ${block.height} does not re-execute to its header hash`,
      );
    await app.commit(block.height, value, certificate);
  };
}

/**
 * Applies fetched blocks through a running consensus driver (`ConsensusDriver.syncDecision`),
 * which re-executes and commits them as its own decisions and moves its height on. A block
 * consensus committed meanwhile is skipped (false); one that does not re-execute throws `EXECUTION`.
 */
export function applyThroughConsensus(
  driver: Pick<ConsensusDriver, "syncDecision">,
  validators: ValidatorSetSource,
  chainId: string,
): (block: SyncBlock) => Promise<boolean> {
  return async (block) => {
    const { value, certificate } = checkCertifiedBlock(block, validators, chainId);
    const outcome = await driver.syncDecision(block.height, value, certificate);
    if (outcome === "refused")
      throw new CertifiedSyncError(
        "EXECUTION",
        `block ${block.height} does not re-execute to its header hash`,
      );
    if (outcome === "ahead")
      throw new CertifiedSyncError("HEIGHT", `block ${block.height} is past the height consensus is at`);
    return outcome === "committed";
  };
}
