/**
 * A k-of-n multisig account whose signers may use different schemes: ed25519 (scheme 0,
 * 32-byte key), secp256k1 Ethereum-style (scheme 1, 20-byte address) and P-256 passkeys
 * (scheme 2, 65-byte key, WebAuthn assertions). The authorisation is a u8 count, then per
 * signature a u8 signer index (strictly increasing: no signer counts twice) and the
 * signature as ABI bytes. Exactly `threshold` signatures, each of which must verify over
 * the signing hash: with an extra or a failing entry allowed, anyone could add or drop
 * one and give the same signed transaction a second authorisation and hash.
 */
import {
  AbiReader,
  Address,
  Bytes32,
  ed25519Verify,
  Fields,
  keccak256,
  StorageMap,
  StorageValue,
  secp256k1Recover,
  U128,
  VALID_FOREVER,
  verifyWebAuthn,
} from "../../sdk/index";
import { BadSigner, BadThreshold } from "./errors.gen";

const thresholdSlot = new StorageValue<u32>("threshold");
const countSlot = new StorageValue<u32>("count");
const signers = new StorageMap<u32, bool>("signer");

/** `schemes[i]` and `keys[i]` describe signer i. */
export function init(threshold: u32, schemes: Array<u8>, keys: Array<Uint8Array>): void {
  const n = <u32>keys.length;
  if (<u32>schemes.length != n || threshold == 0 || threshold > n || n > 32) BadThreshold(threshold, n);
  for (let i: u32 = 0; i < n; i++) {
    const scheme = schemes[i];
    const length = keys[i].length;
    const ok =
      (scheme == 0 && length == 32) || (scheme == 1 && length == 20) || (scheme == 2 && length == 65);
    if (!ok) BadSigner(i);
    const f = new Fields(signers.keyOf(i));
    f.set<u8>(0, scheme);
    f.set<Uint8Array>(1, keys[i]);
  }
  thresholdSlot.set(threshold);
  countSlot.set(n);
}

export function threshold(): u32 {
  return thresholdSlot.get(0);
}

export function signerCount(): u32 {
  return countSlot.get(0);
}

function verifies(index: u32, hash: Bytes32, signature: Uint8Array): bool {
  const f = new Fields(signers.keyOf(index));
  const scheme = f.get<u8>(0, 255);
  const key = f.get<Uint8Array>(1, new Uint8Array(0));
  if (scheme == 0) return ed25519Verify(key, hash.bytes, signature);
  if (scheme == 1) {
    const signer = secp256k1Recover(keccak256(hash.bytes), signature);
    return !signer.isZero() && signer.equals(new Address(key));
  }
  if (scheme == 2) return verifyWebAuthn(key, hash.bytes, signature);
  return false;
}

/** The validation step: exactly `threshold` valid signatures over the signing hash (no expiry); 0 refuses. */
export function validate(
  hash: Bytes32,
  auth: Uint8Array,
  _maxCost: U128,
  _targets: Array<Address>,
  _methods: Array<string>,
  _args: Array<Uint8Array>,
  _values: Array<U128>,
): u64 {
  const r = new AbiReader(auth);
  const count = <u32>r.u8();
  if (count != thresholdSlot.get(0)) return 0;
  const n = countSlot.get(0);
  let previous: i32 = -1;
  for (let k: u32 = 0; k < count; k++) {
    const index = <i32>r.u8();
    const signature = r.bytes();
    if (index <= previous || <u32>index >= n) return 0;
    previous = index;
    if (!verifies(<u32>index, hash, signature)) return 0;
  }
  r.finish();
  return VALID_FOREVER;
}
