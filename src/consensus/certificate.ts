/**
 * A commit certificate: proof that more than two-thirds of a height's voting power precommitted
 * a block. It holds the round, the block hash, a bitmap of the signers (bit i of byte i/8, low
 * bit first, for validator i) and one BLS signature aggregating their precommits, which all
 * signed the same bytes (`signingBytes.ts`). Anyone holding the height's validator set checks
 * it with one pairing check against the sum of the signers' keys: the light-client check
 * (`verifyCertificate`).
 *
 *   encoding: version u8 ‖ height u64 ‖ round u32 ‖ block hash 32 ‖ bitmap (u16 length ‖ bytes) ‖ signature 96
 */
import { equalBytes } from "../codec/bytes.js";
import { aggregate, verifyAggregate } from "./bls.js";
import { ConsensusDecodeError, ConsensusError } from "./errors.js";
import { voteSigningBytes } from "./signingBytes.js";
import { HASH_LENGTH, MAX_ROUND, SIGNATURE_LENGTH, type Vote, VoteType } from "./types.js";
import { MAX_VALIDATORS, type ValidatorSet } from "./validatorSet.js";
import { Reader, Writer } from "./wire.js";

export interface CommitCertificate {
  readonly height: number;
  readonly round: number;
  readonly blockHash: Uint8Array;
  readonly signers: Uint8Array;
  readonly signature: Uint8Array;
}

const CERT_VERSION = 1;

/** Builds a certificate from precommits for one block (as the state machine's `decide` gives them). */
export function buildCertificate(precommits: readonly Vote[], setSize: number): CommitCertificate {
  const first = precommits[0];
  if (first === undefined || first.valueHash === null) {
    throw new ConsensusError("BAD_CERTIFICATE", "a certificate needs precommits for a block");
  }
  const signers = new Uint8Array(Math.ceil(setSize / 8));
  const sorted = [...precommits].sort((a, b) => a.validator - b.validator);
  for (const v of sorted) {
    if (v.type !== VoteType.Precommit || v.height !== first.height || v.round !== first.round) {
      throw new ConsensusError(
        "BAD_CERTIFICATE",
        "a certificate's votes are precommits of one height and round",
      );
    }
    if (v.valueHash === null || !equalBytes(v.valueHash, first.valueHash)) {
      throw new ConsensusError("BAD_CERTIFICATE", "a certificate's precommits are all for the same block");
    }
    signers[v.validator >> 3] = (signers[v.validator >> 3] as number) | (1 << (v.validator & 7));
  }
  return {
    height: first.height,
    round: first.round,
    blockHash: first.valueHash,
    signers,
    signature: aggregate(sorted.map((v) => v.signature)),
  };
}

/** The indices of a certificate's signers. */
export function certificateSigners(cert: CommitCertificate): number[] {
  const out: number[] = [];
  for (let i = 0; i < cert.signers.length * 8; i++) {
    if (((cert.signers[i >> 3] as number) >> (i & 7)) & 1) out.push(i);
  }
  return out;
}

/**
 * Checks that `cert` proves a commit of `blockHash` at `height` by `set` on `chainId`: the
 * bitmap fits the set, the signers hold more than 2/3 of the power, and the aggregate
 * signature is theirs over the precommit's bytes. Throws `BAD_CERTIFICATE` saying which.
 */
export function verifyCertificate(
  cert: CommitCertificate,
  set: ValidatorSet,
  chainId: string,
  expected: { height: number; blockHash: Uint8Array },
): void {
  const fail = (why: string): never => {
    throw new ConsensusError("BAD_CERTIFICATE", `commit certificate for height ${cert.height}: ${why}`);
  };
  if (cert.height !== expected.height) fail(`it is for height ${cert.height}, not ${expected.height}`);
  if (!equalBytes(cert.blockHash, expected.blockHash)) fail("it certifies another block hash");
  if (cert.signers.length !== Math.ceil(set.size / 8)) {
    fail(`signer bitmap of ${cert.signers.length} bytes for a set of ${set.size}`);
  }
  const signers = certificateSigners(cert);
  if (signers.some((i) => i >= set.size)) fail("the signer bitmap names validators outside the set");
  let power = 0n;
  for (const i of signers) power += set.power(i);
  if (!set.hasQuorum(power))
    fail(`signers hold ${power} of ${set.totalPower} voting power, not more than 2/3`);
  const message = voteSigningBytes(chainId, {
    type: VoteType.Precommit,
    height: cert.height,
    round: cert.round,
    valueHash: cert.blockHash,
  });
  if (
    !verifyAggregate(
      signers.map((i) => set.key(i)),
      message,
      cert.signature,
    )
  ) {
    fail("the aggregate signature does not verify for the signers");
  }
}

export function encodeCertificate(cert: CommitCertificate): Uint8Array {
  const w = new Writer().u8(CERT_VERSION).u64(cert.height).u32(cert.round).fixed(cert.blockHash);
  return w.u16(cert.signers.length).fixed(cert.signers).fixed(cert.signature).finish();
}

export function decodeCertificate(bytes: Uint8Array): CommitCertificate {
  const r = new Reader(bytes, "commit certificate");
  const version = r.u8("version");
  if (version !== CERT_VERSION) {
    throw new ConsensusDecodeError(
      "BAD_VERSION",
      `commit certificate version ${version}, this node reads ${CERT_VERSION}`,
    );
  }
  const height = r.u64("height");
  const round = r.u32("round");
  if (round > MAX_ROUND) throw new ConsensusDecodeError("OUT_OF_RANGE", `round ${round} is above 2^31-1`);
  const blockHash = r.fixed(HASH_LENGTH, "block hash");
  const bitmapLength = r.u16("signer bitmap length");
  if (bitmapLength > MAX_VALIDATORS / 8) {
    throw new ConsensusDecodeError(
      "TOO_LARGE",
      `signer bitmap of ${bitmapLength} bytes, above ${MAX_VALIDATORS / 8}`,
    );
  }
  const signers = r.fixed(bitmapLength, "signer bitmap");
  const signature = r.fixed(SIGNATURE_LENGTH, "signature");
  r.end();
  return { height, round, blockHash, signers, signature };
}
