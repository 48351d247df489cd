/**
 * Decisions for tests of the consensus judge and driver: a block value declaring a height and
 * a header hash (other bytes under the same hash by another `time`), and a commit certificate
 * of test validators' precommits for a hash.
 */
import { toHex } from "../../src/codec/bytes.js";
import type { BlsKeyPair } from "../../src/consensus/bls.js";
import { buildCertificate, type CommitCertificate } from "../../src/consensus/certificate.js";
import { type Value, VoteType } from "../../src/consensus/types.js";
import type { ValidatorSet } from "../../src/consensus/validatorSet.js";
import { encodeBlockValue } from "../../src/node/validator/blockValue.js";
import { signedVote } from "./consensusKeys.js";

/** A block value declaring `height` and `hash`; another `time` gives other bytes under the same hash. */
export function blockValue(height: number, hash: Uint8Array, time = 1): Value {
  return encodeBlockValue({
    number: height,
    parentHash: `0x${"11".repeat(32)}`,
    time,
    feeRecipient: "0x00000000000000000000000000000000000000fe",
    baseFee: 0n,
    headerHash: `0x${toHex(hash)}`,
    proposer: 0,
    lastCommit: null,
    evidence: [],
    rawTxs: [],
  });
}

/** The certificate of round 0 at `height` for `hash`, signed by `signers` (indices into `keys`) of `set`. */
export function certificateOf(
  keys: readonly BlsKeyPair[],
  set: ValidatorSet,
  height: number,
  hash: Uint8Array,
  signers = [0, 1, 2],
): CommitCertificate {
  const precommits = signers.map((validator) =>
    signedVote(keys, { type: VoteType.Precommit, height, round: 0, valueHash: hash, validator }),
  );
  return buildCertificate(precommits, set.size);
}
