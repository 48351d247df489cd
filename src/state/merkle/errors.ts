/** Errors of the state Merkle tree: malformed proof JSON, a corrupt node record in the store. */

/**
 * `BAD_PROOF_JSON`: a proof's JSON form is malformed; `CORRUPT_NODE`: the node store returned
 * a bad record; `STALE_UPDATE`: an update was committed (or built on) after the tree moved on.
 */
export type MerkleErrorCode = "BAD_PROOF_JSON" | "CORRUPT_NODE" | "STALE_UPDATE";

/** Thrown by the Merkle tree and proof decoding. Carries a stable `code`. */
export class MerkleError extends Error {
  readonly code: MerkleErrorCode;
  constructor(code: MerkleErrorCode, message: string) {
    super(message);
    this.name = "MerkleError";
    this.code = code;
  }
}
