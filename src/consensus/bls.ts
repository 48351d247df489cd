/**
 * BLS12-381 keys and signatures for consensus, through `@chainsafe/blst`.
 *
 * Variant: **min-pk** (public keys in G1, 48 bytes; signatures in G2, 96 bytes), with the
 * proof-of-possession ciphersuite's hash-to-curve tag (the library's, Ethereum's). It is the
 * variant the library implements, and it fits what Weft stores most: every light client and
 * every block's validator set holds one key per validator, while a commit certificate holds
 * one aggregate signature whatever the number of signers. Votes for one block all sign the
 * same bytes, so a certificate is checked with one pairing against the sum of the signers'
 * keys (`fastAggregateVerify`).
 *
 * That sum is only sound if no key was chosen as a function of others (the rogue-key attack:
 * pk' = g^x - pk_honest makes an aggregate "signed" by the honest key). Every key in a
 * validator set therefore came with a proof of possession, in the one scheme Weft has
 * (`src/codec/bls.ts`: the key's signature over `"weft/bls-pop/v1" ‖ chain id ‖ operator ‖
 * key`), checked where a key enters the chain: the staking contract's `register` (the
 * `bls_verify` host function) and the genesis file (`chain/genesisFile.ts`). A set
 * is built only from registered keys (`node/stakingConsensus.ts`), so this module does not
 * check proofs again. The proof's tag differs from the consensus tag (`signingBytes.ts`) in
 * its first bytes, so a proof of possession is never a consensus signature, nor the reverse.
 */
import {
  aggregateSerializedSignatures,
  fastAggregateVerify,
  PublicKey,
  SecretKey,
  Signature,
  verify,
} from "@chainsafe/blst";
import { ConsensusError } from "./errors.js";
import { PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH } from "./types.js";

export interface BlsKeyPair {
  readonly secretKey: SecretKey;
  readonly publicKey: Uint8Array;
}

/** A key pair from 32+ bytes of secret seed (HKDF key generation of the BLS draft). */
export function keyPairFromSeed(seed: Uint8Array): BlsKeyPair {
  if (seed.length < 32) throw new ConsensusError("BAD_KEY", `a BLS seed needs 32 bytes, got ${seed.length}`);
  const secretKey = SecretKey.fromKeygen(seed);
  return { secretKey, publicKey: secretKey.toPublicKey().toBytes(true) };
}

export function sign(secretKey: SecretKey, message: Uint8Array): Uint8Array {
  return secretKey.sign(message).toBytes(true);
}

/** A public key from its 48 bytes, checked to be a non-identity point of G1's subgroup. */
export function parsePublicKey(bytes: Uint8Array): PublicKey {
  if (bytes.length !== PUBLIC_KEY_LENGTH) {
    throw new ConsensusError(
      "BAD_KEY",
      `a BLS public key is ${PUBLIC_KEY_LENGTH} bytes, got ${bytes.length}`,
    );
  }
  try {
    return PublicKey.fromBytes(bytes, true);
  } catch (e) {
    throw new ConsensusError("BAD_KEY", `not a valid BLS public key: ${(e as Error).message}`);
  }
}

/** A signature from its 96 bytes, checked to be a non-identity point of G2's subgroup. */
export function parseSignature(bytes: Uint8Array): Signature {
  if (bytes.length !== SIGNATURE_LENGTH) {
    throw new ConsensusError(
      "BAD_SIGNATURE",
      `a BLS signature is ${SIGNATURE_LENGTH} bytes, got ${bytes.length}`,
    );
  }
  try {
    return Signature.fromBytes(bytes, true);
  } catch (e) {
    throw new ConsensusError("BAD_SIGNATURE", `not a valid BLS signature: ${(e as Error).message}`);
  }
}

/** True when `signature` is `key`'s over `message`; false for any malformed signature. */
export function verifySignature(key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  let sig: Signature;
  try {
    sig = parseSignature(signature);
  } catch {
    return false;
  }
  return verify(message, key, sig);
}

/** One signature from many over the same message (the signatures are checked first). */
export function aggregate(signatures: readonly Uint8Array[]): Uint8Array {
  return aggregateSerializedSignatures([...signatures], true).toBytes(true);
}

/** True when `signature` aggregates signatures of every key in `keys` over `message`. */
export function verifyAggregate(
  keys: readonly PublicKey[],
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (keys.length === 0) return false;
  let sig: Signature;
  try {
    sig = parseSignature(signature);
  } catch {
    return false;
  }
  return fastAggregateVerify(message, [...keys], sig);
}
