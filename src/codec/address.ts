/**
 * Addresses: 20 bytes, written as 0x-prefixed lowercase hex. Contract addresses are
 * derived from the deployer, a salt, the code hash and the constructor arguments, so the
 * same deployment always lands on the same address.
 */
import { CodecError, concatBytes, fromHex, toHex, utf8 } from "./bytes.js";
import { keccak256 } from "./hash.js";

export const ADDRESS_BYTES = 20;

/** A 20-byte account or contract address as `0x` + 40 lowercase hex digits. */
export type Address = `0x${string}`;

/**
 * Validates and normalises an address string.
 * @example parseAddress("0xAB00000000000000000000000000000000000001")
 */
export function parseAddress(text: string): Address {
  const bytes = fromHex(text);
  if (bytes.length !== ADDRESS_BYTES || !text.startsWith("0x")) {
    throw new CodecError("INVALID_ADDRESS", `an address is 0x + 40 hex digits, got ${JSON.stringify(text)}`);
  }
  return `0x${toHex(bytes)}`;
}

/** The 20 bytes of an address (any hex case); throws `CodecError` INVALID_ADDRESS if it is not one. */
export function addressToBytes(address: Address): Uint8Array {
  const bytes = typeof address === "string" && address.startsWith("0x") ? hexBytes(address) : undefined;
  if (bytes?.length !== ADDRESS_BYTES) parseAddress(address); // throws the error that says why
  return bytes as Uint8Array;
}

/** `fromHex`, or undefined where it throws. */
function hexBytes(text: string): Uint8Array | undefined {
  try {
    return fromHex(text);
  } catch {
    return undefined;
  }
}

export function addressFromBytes(bytes: Uint8Array): Address {
  if (bytes.length !== ADDRESS_BYTES) {
    throw new CodecError("INVALID_ADDRESS", `an address is 20 bytes, got ${bytes.length}`);
  }
  return `0x${toHex(bytes)}`;
}

/** The hex body of an address without `0x` (the form used inside state keys). */
export function addressHex(address: Address): string {
  return address.slice(2).toLowerCase();
}

const DEPLOY_DOMAIN = utf8("weft/deploy/v1");

/**
 * Address of a contract deployed by `deployer` with `salt` (32 bytes), code hash and
 * constructor arguments: keccak256(domain ‖ deployer ‖ salt ‖ codeHash ‖ keccak256(args))[12..32].
 */
export function contractAddress(
  deployer: Address,
  salt: Uint8Array,
  codeHash: Uint8Array,
  args: Uint8Array,
): Address {
  if (salt.length !== 32) throw new CodecError("INVALID_SALT", `salt must be 32 bytes, got ${salt.length}`);
  const digest = keccak256(
    concatBytes(DEPLOY_DOMAIN, addressToBytes(deployer), salt, codeHash, keccak256(args)),
  );
  return addressFromBytes(digest.subarray(12));
}

/**
 * Whether `text` is an address in its one canonical form: `0x` + 40 lowercase hex digits
 * (what `/^0x[0-9a-f]{40}$/.test(text)` answers, by char codes: every transaction's sender
 * and recipient are checked, and the two regular expressions were 2-8% of a contract
 * transaction's time). A value that is not a string is not an address (the regular
 * expression read its string form, so a one-element array or an object whose `toString`
 * gave an address passed).
 */
export function isCanonicalAddress(text: unknown): boolean {
  if (typeof text !== "string") return false;
  if (text.length !== 42 || text.charCodeAt(0) !== 0x30 || text.charCodeAt(1) !== 0x78) return false;
  for (let i = 2; i < 42; i++) {
    const c = text.charCodeAt(i);
    // 0-9 (0x30-0x39) or a-f (0x61-0x66).
    if ((c - 0x30) >>> 0 > 9 && (c - 0x61) >>> 0 > 5) return false;
  }
  return true;
}
