/**
 * The Ethereum development accounts: the 10 keys of the standard test mnemonic ("test test
 * test test test test test test test test test junk") at m/44'/60'/0'/0/i, as Anvil and
 * Hardhat prefund them, so Ethereum tools and wallets import them as they are. Public
 * knowledge: never use these keys for anything of value.
 *
 * BIP-39 seed: PBKDF2-HMAC-SHA512 of the phrase with salt "mnemonic", 2,048 rounds (the
 * phrase is used as is; no wordlist is needed to derive). BIP-32: HMAC-SHA512 key
 * "Bitcoin seed", children by HMAC-SHA512 of the chain code over (0 ‖ key) for hardened
 * indexes and the compressed public key otherwise, added to the parent key mod n.
 */
import { createHmac, pbkdf2Sync } from "node:crypto";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { type Address, addressFromBytes } from "../codec/address.js";
import { keccak256 } from "../codec/hash.js";

export const TEST_MNEMONIC = "test test test test test test test test test test test junk";
export const ETH_DEV_ACCOUNTS = 10;
const N = secp256k1.Point.CURVE().n;
const HARDENED = 0x8000_0000;

export interface EthDevKey {
  address: Address;
  /** 32-byte secret, for development only. */
  privateKey: Uint8Array;
}

function hmac(key: Uint8Array | string, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac("sha512", key).update(data).digest());
}

function toBigInt(bytes: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(bytes).toString("hex")}`);
}

function to32(value: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(value.toString(16).padStart(64, "0"), "hex"));
}

function child(key: Uint8Array, chainCode: Uint8Array, index: number): [Uint8Array, Uint8Array] {
  const data = new Uint8Array(37);
  if (index >= HARDENED) data.set(key, 1);
  else data.set(secp256k1.getPublicKey(key, true), 0);
  new DataView(data.buffer).setUint32(33, index);
  const out = hmac(chainCode, data);
  const tweak = toBigInt(out.subarray(0, 32));
  const next = (tweak + toBigInt(key)) % N;
  if (tweak >= N || next === 0n) throw new Error(`BIP-32: index ${index} derives no key; use the next`);
  return [to32(next), out.subarray(32)];
}

/** The key at `path` (e.g. "m/44'/60'/0'/0/0") of `mnemonic`. */
export function deriveKey(mnemonic: string, path: string): Uint8Array {
  const seed = pbkdf2Sync(
    Buffer.from(mnemonic.normalize("NFKD")),
    Buffer.from("mnemonic"),
    2048,
    64,
    "sha512",
  );
  const master = hmac("Bitcoin seed", seed);
  let key = master.subarray(0, 32);
  let chainCode = master.subarray(32);
  for (const part of path.split("/").slice(1)) {
    const hardened = part.endsWith("'");
    const index = Number.parseInt(hardened ? part.slice(0, -1) : part, 10) + (hardened ? HARDENED : 0);
    [key, chainCode] = child(key, chainCode, index);
  }
  return key;
}

/** The address of a secp256k1 secret (keccak-256 of the public key, last 20 bytes). */
export function ethAddressOf(privateKey: Uint8Array): Address {
  return addressFromBytes(keccak256(secp256k1.getPublicKey(privateKey, false).subarray(1)).subarray(12));
}

/** The first `count` development accounts of the test mnemonic. */
export function ethDevKeys(count = ETH_DEV_ACCOUNTS): EthDevKey[] {
  return Array.from({ length: count }, (_, i) => {
    const privateKey = deriveKey(TEST_MNEMONIC, `m/44'/60'/0'/0/${i}`);
    return { address: ethAddressOf(privateKey), privateKey };
  });
}
