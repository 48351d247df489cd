/**
 * BLS12-381 signatures (`@chainsafe/blst`, the "minimal public key" variant: 48-byte
 * compressed G1 public keys, 96-byte compressed G2 signatures, the proof-of-possession
 * ciphersuite's hash-to-curve). Validators sign consensus votes with these keys and prove
 * possession of a key when they register it with the staking contract.
 *
 * Proof of possession: a signature over `"weft/bls-pop/v1" ‖ chain id (u64 BE) ‖ the
 * registering address ‖ the public key`. It binds the key to one address on one chain,
 * so a key (or a proof) copied from another validator cannot be registered by anyone
 * else, and the domain tag keeps it apart from every consensus message (rogue-key
 * attacks on aggregated votes need a key whose secret nobody knows: a proof rules it out).
 */
import { PublicKey, SecretKey, Signature, verify } from "@chainsafe/blst";
import type { Address } from "./address.js";
import { concatBytes, fromHex, utf8 } from "./bytes.js";

export const BLS_PUBLIC_KEY_BYTES = 48;
export const BLS_SIGNATURE_BYTES = 96;
const POP_TAG = utf8("weft/bls-pop/v1");

/**
 * True if `signature` (96 bytes, compressed) over `message` is valid for `publicKey`
 * (48 bytes, compressed). Keys and signatures that do not decode, are the point at
 * infinity or are outside the prime-order subgroup are invalid: false, never a throw.
 */
export function verifyBls(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== BLS_PUBLIC_KEY_BYTES || signature.length !== BLS_SIGNATURE_BYTES) return false;
  try {
    const pk = PublicKey.fromBytes(publicKey, true);
    const sig = Signature.fromBytes(signature, true, true);
    return verify(message, pk, sig);
  } catch {
    return false;
  }
}

/** The message a proof of possession signs (see the module comment). */
export function blsPopMessage(chainId: bigint, registrant: Address, publicKey: Uint8Array): Uint8Array {
  const id = new Uint8Array(8);
  new DataView(id.buffer).setBigUint64(0, chainId);
  return concatBytes(POP_TAG, id, fromHex(registrant), publicKey);
}

export interface BlsKeyPair {
  secret: Uint8Array;
  publicKey: Uint8Array;
}

/** A key pair from at least 32 bytes of key material (deterministic: the same seed, the same key). */
export function blsKeyFromSeed(seed: Uint8Array): BlsKeyPair {
  const sk = SecretKey.fromKeygen(seed);
  return { secret: sk.toBytes(), publicKey: sk.toPublicKey().toBytes(true) };
}

/** The key pair of a 32-byte secret key (throws if it is not one). */
export function blsKeyFromSecret(secret: Uint8Array): BlsKeyPair {
  return { secret, publicKey: SecretKey.fromBytes(secret).toPublicKey().toBytes(true) };
}

export function blsSign(secret: Uint8Array, message: Uint8Array): Uint8Array {
  return SecretKey.fromBytes(secret).sign(message).toBytes(true);
}

/** The proof of possession `registrant` sends with `key`'s public key on chain `chainId`. */
export function blsProofOfPossession(key: BlsKeyPair, chainId: bigint, registrant: Address): Uint8Array {
  return blsSign(key.secret, blsPopMessage(chainId, registrant, key.publicKey));
}
