/** Authenticated state: a sparse Merkle tree over all state, its node store and proofs (see tree.ts). */
export { checkStoredTree, type TreeCheck } from "./checkTree.js";
export { MerkleError, type MerkleErrorCode } from "./errors.js";
export { bytesToDigest, type Digest, digestToBytes, EMPTY_HASH, nodeId, ROOT_ID } from "./hashing.js";
export { MemoryNodeStore, type MerkleNodeStore, type NodeWrites } from "./nodeStore.js";
export {
  type MerkleProof,
  type MerkleProofJson,
  type ProofLeaf,
  proofFromJson,
  proofToJson,
  verifyProof,
} from "./proof.js";
export { stateRootFrom } from "./rootFromState.js";
export { MerkleTree, type MerkleUpdate } from "./tree.js";
