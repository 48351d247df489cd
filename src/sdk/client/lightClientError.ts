/** The light client's typed error and its trusted set (`lightClient.ts`, `followEpochs.ts`). */
import type { Address } from "../../codec/address.js";
import type { ValidatorSet } from "../../consensus/validatorSet.js";
import type { EpochLinkErrorCode, TrustedCheckpoint } from "../../lightclient/epochLink.js";
import { WeftClientError } from "./errors.js";

/**
 * `GENESIS`: the genesis file is not one; `HEADER`: the header does not hash to its hash, or is
 * of another chain or height; `NO_CERTIFICATE`: the node has none for the block; `CERTIFICATE`:
 * the certificate does not prove +2/3 of the trusted set signed this block (malformed, another
 * block, a signer twice or outside the set, too little power, a bad signature); `EPOCH`: the
 * block is of an epoch before the trusted set's, which cannot be followed back; `PROOF`: the
 * value does not prove against the certified root. Following the set across epochs:
 * `NO_LINK`: a link the way needs is not given (or the node does not hold it); `LINK_GAP`: a
 * link of another epoch where the next was due; `LINK`: a link that does not hold (`linkCode`
 * says which check: `CERTIFICATE` not signed by more than 2/3 of the set before, `PROOF` or
 * `MISSING` its records do not prove the set, `HEADER`, `HEIGHT`, `MALFORMED`); `CHECKPOINT`:
 * the checkpoint is no epoch's last block, or its link is another block.
 */
export type LightClientErrorCode =
  | "GENESIS"
  | "HEADER"
  | "NO_CERTIFICATE"
  | "CERTIFICATE"
  | "EPOCH"
  | "PROOF"
  | "NO_LINK"
  | "LINK_GAP"
  | "LINK"
  | "CHECKPOINT";

export class LightClientError extends WeftClientError {
  readonly code: LightClientErrorCode;
  /** For `LINK`: the check of the link that failed. */
  readonly linkCode: EpochLinkErrorCode | undefined;
  constructor(
    code: LightClientErrorCode,
    message: string,
    details: string[] = [],
    linkCode?: EpochLinkErrorCode,
  ) {
    super(`${code}: ${message}`, details);
    this.name = "LightClientError";
    this.code = code;
    this.linkCode = linkCode;
  }
}

/** How a trusted set was reached: `links` epoch links followed from the genesis set or from a checkpoint block. */
export interface TrustPath {
  from: "genesis" | "checkpoint";
  links: number;
  checkpoint?: TrustedCheckpoint;
}

/** A validator set trusted for one epoch of one chain. */
export interface TrustedValidators {
  chainId: bigint;
  /** The epoch whose heights the set signs. */
  epoch: number;
  /** Blocks per epoch (L). */
  epochLength: number;
  set: ValidatorSet;
  /** Each member's operator address, in the set's order, when known. */
  operators?: Address[];
  /**
   * The network's staking contract, whose proven records give each later epoch's set
   * (`genesisValidators` derives it from the genesis file; never take it from a node).
   * Without it the set cannot be followed to another epoch.
   */
  staking?: Address;
  /** How this set was reached (from the genesis set through 0 links when absent). */
  reached?: TrustPath;
}
