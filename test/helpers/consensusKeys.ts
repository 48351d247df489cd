/** Deterministic BLS validators for consensus tests, and helpers to sign votes with them. */
import { utf8 } from "../../src/codec/bytes.js";
import { sha256 } from "../../src/codec/hash.js";
import { type BlsKeyPair, keyPairFromSeed, sign } from "../../src/consensus/bls.js";
import type { ConsensusClock } from "../../src/consensus/interfaces.js";
import { FileSignRecordStore, SignGuard } from "../../src/consensus/signGuard.js";
import { voteSigningBytes } from "../../src/consensus/signingBytes.js";
import type { UnsignedVote, Vote } from "../../src/consensus/types.js";
import { ValidatorSet } from "../../src/consensus/validatorSet.js";

export const TEST_CHAIN_ID = "weft-test";

export function testKeys(n: number, label = "test"): BlsKeyPair[] {
  return Array.from({ length: n }, (_, i) => keyPairFromSeed(sha256(utf8(`${label} validator ${i}`))));
}

export function testSet(keys: readonly BlsKeyPair[], powers?: readonly bigint[]): ValidatorSet {
  return ValidatorSet.create(
    keys.map((k, i) => ({
      publicKey: k.publicKey,
      votingPower: powers?.[i] ?? 10n,
    })),
  );
}

export function signedVote(keys: readonly BlsKeyPair[], v: UnsignedVote, chainId = TEST_CHAIN_ID): Vote {
  const pair = keys[v.validator] as BlsKeyPair;
  return { ...v, signature: sign(pair.secretKey, voteSigningBytes(chainId, v)) };
}

export function hashOf(label: string): Uint8Array {
  return sha256(utf8(label));
}

/** A driver's clock on real time (`setTimeout`), for drivers run over a real or in-process network. */
export const REAL_CLOCK: ConsensusClock = { schedule: (ms, fire) => void setTimeout(fire, ms) };

/** A driver's `validator` option: `key` signing through a guard whose last-signed record is the file `path`. */
export function guardedValidator(key: BlsKeyPair, path: string): { publicKey: Uint8Array; guard: SignGuard } {
  return { publicKey: key.publicKey, guard: new SignGuard(new FileSignRecordStore(path), key.secretKey) };
}
