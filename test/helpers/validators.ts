/** Validators' BLS keys for tests: deterministic per index, with proofs of possession for an address. */
import type { Address } from "../../src/codec/address.js";
import { type BlsKeyPair, blsKeyFromSeed, blsProofOfPossession } from "../../src/codec/bls.js";
import { utf8 } from "../../src/codec/bytes.js";
import { sha256 } from "../../src/codec/hash.js";

export const TEST_CHAIN_ID = 1337n;

export function blsKey(i: number): BlsKeyPair {
  return blsKeyFromSeed(sha256(utf8(`weft test validator ${i}`)));
}

/** `register`'s arguments: commission, key `i`'s public key, its proof of possession for `who`. */
export function registerArgs(
  who: Address,
  commissionBps: number,
  i: number,
  chainId = TEST_CHAIN_ID,
): unknown[] {
  const key = blsKey(i);
  return [commissionBps, key.publicKey, blsProofOfPossession(key, chainId, who)];
}
