/**
 * Accounts: an address and a way to authorise a transaction's signing hash, one per
 * account kind of the shipped account contracts.
 *
 * | kind | authorisation (`signAuth`) |
 * |---|---|
 * | ed25519 | the key's 64-byte signature of the signing hash |
 * | secp256k1 | r ‖ s ‖ v (65 bytes) over keccak256(signing hash), v in {27, 28}, s ≤ n/2 |
 * | passkey | ABI (authenticatorData, clientDataJSON, r ‖ s with s ≤ n/2) of a WebAuthn assertion whose challenge is the signing hash |
 * | multisig | u8 count (= the threshold), then per signature: u8 signer index (increasing), ABI bytes of that signer's authorisation |
 * | session | session public key (32) ‖ its ed25519 signature (64): 96 bytes (`sessionKeys.ts`) |
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { p256 } from "@noble/curves/nist.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import type { WebAuthnAssertion } from "../../chain/tx/signatures.js";
import { encodeAbi } from "../../codec/abi.js";
import { type Address, parseAddress } from "../../codec/address.js";
import { concatBytes, fromHex } from "../../codec/bytes.js";
import { keccak256 } from "../../codec/hash.js";
import { secp256k1Address } from "../../codec/signatures.js";

export type AccountKind = "ed25519" | "secp256k1" | "passkey" | "multisig" | "session";

/** Something that can send transactions: an account contract's address and its authoriser. */
export interface Account {
  readonly address: Address;
  readonly kind: AccountKind;
  /** The authorisation of a transaction with this signing hash (a passkey in a browser answers asynchronously). */
  signAuth(signingHash: Uint8Array): Uint8Array | Promise<Uint8Array>;
  /**
   * Gas to add to `weft_estimateGas` for this account's validation step, which the node
   * measures with a stand-in authorisation (or charges at its limit). Default: the whole
   * validation limit (2,000,000), always enough; ed25519 accounts need 0. Gas that is not
   * used is not paid for.
   */
  readonly validationGas?: number;
}

/** An account whose authorisation is computed on the spot. */
export interface LocalAccount extends Account {
  signAuth(signingHash: Uint8Array): Uint8Array;
}

/** Multisig signer schemes, as the multisig contract numbers them. */
export const MULTISIG_SCHEME = { ed25519: 0, secp256k1: 1, passkey: 2 } as const;
export type KeyScheme = keyof typeof MULTISIG_SCHEME;

/** A key as an account contract registers it: 32-byte ed25519 key, 20-byte address, 65-byte P-256 point. */
export interface PublicKeyRef {
  scheme: KeyScheme;
  key: Uint8Array;
}

/** A key that can authorise: the scheme's authorisation bytes for a signing hash. */
export interface KeySigner extends PublicKeyRef {
  sign(signingHash: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

/** What `passkeyAccount` needs: the P-256 public key and WebAuthn `get` (as `passkeySigner()` in src/sdk/signers.ts). */
export interface PasskeyLike {
  publicKey: Uint8Array;
  assert(challenge: Uint8Array): WebAuthnAssertion | Promise<WebAuthnAssertion>;
}

function secretBytes(secret: Uint8Array | string, what: string): Uint8Array {
  const bytes = typeof secret === "string" ? fromHex(secret) : secret;
  if (bytes.length !== 32) throw new RangeError(`${what}: a secret key is 32 bytes, got ${bytes.length}`);
  return bytes;
}

/** A key that signs on the spot. */
export interface LocalKeySigner extends KeySigner {
  sign(signingHash: Uint8Array): Uint8Array;
}

/** An ed25519 key from its 32-byte secret (bytes or hex). */
export function ed25519Key(secret: Uint8Array | string): LocalKeySigner & { publicKey: Uint8Array } {
  const s = secretBytes(secret, "ed25519");
  const publicKey = ed25519.getPublicKey(s);
  return { scheme: "ed25519", key: publicKey, publicKey, sign: (hash) => ed25519.sign(hash, s) };
}

/** A secp256k1 key from its 32-byte secret; `address` is the Ethereum-style owner address. */
export function secp256k1Key(secret: Uint8Array | string): LocalKeySigner & { address: Address } {
  const s = secretBytes(secret, "secp256k1");
  const address = secp256k1Address(secp256k1.getPublicKey(s, false));
  return {
    scheme: "secp256k1",
    key: fromHex(address),
    address,
    sign(hash) {
      const sig = secp256k1.sign(keccak256(hash), s, { prehash: false, format: "recovered" });
      const out = new Uint8Array(65);
      out.set(sig.subarray(1), 0);
      out[64] = (sig[0] as number) + 27;
      return out;
    },
  };
}

/**
 * The passkey authorisation: ABI (authenticatorData, clientDataJSON, compact r ‖ s), with
 * s ≤ n/2: an authenticator's s is random, and the chain accepts only the low one.
 */
export function encodePasskeyAuth(assertion: WebAuthnAssertion): Uint8Array {
  const format = assertion.signature.length === 64 ? "compact" : "der";
  const sig = p256.Signature.fromBytes(assertion.signature, format);
  const low = sig.hasHighS() ? new p256.Signature(sig.r, p256.Point.CURVE().n - sig.s) : sig;
  return encodeAbi(
    ["bytes", "bytes", "bytes"],
    [assertion.authenticatorData, assertion.clientDataJSON, low.toBytes("compact")],
  );
}

/** A P-256 passkey (the challenge it signs is the signing hash). */
export function passkeyKey(signer: PasskeyLike): KeySigner {
  return {
    scheme: "passkey",
    key: signer.publicKey,
    sign(hash) {
      const assertion = signer.assert(hash);
      return assertion instanceof Promise ? assertion.then(encodePasskeyAuth) : encodePasskeyAuth(assertion);
    },
  };
}

/** An `ed25519Account` contract at `address` controlled by the key with this secret. */
export function ed25519Account(
  secret: Uint8Array | string,
  address: Address,
): LocalAccount & { publicKey: Uint8Array } {
  const key = ed25519Key(secret);
  return {
    address: parseAddress(address),
    kind: "ed25519",
    publicKey: key.publicKey,
    signAuth: key.sign,
    validationGas: 0,
  };
}

/** A `secp256k1Account` contract at `address` whose owner is this key; `owner` is the key's address. */
export function secp256k1Account(
  secret: Uint8Array | string,
  address: Address,
): LocalAccount & { owner: Address } {
  const key = secp256k1Key(secret);
  return { address: parseAddress(address), kind: "secp256k1", owner: key.address, signAuth: key.sign };
}

/** A `passkeyAccount` contract at `address` registered with this passkey. */
export function passkeyAccount(signer: PasskeyLike, address: Address): Account {
  const key = passkeyKey(signer);
  return { address: parseAddress(address), kind: "passkey", signAuth: key.sign };
}

/**
 * A `multisigAccount` contract at `address`. `signers` lists the account's keys in their
 * on-chain order (the index is the position); a `KeySigner` can sign, a `PublicKeyRef` only
 * holds the place of a key held elsewhere. The first `threshold` signers that can sign do.
 */
export function multisigAccount(
  address: Address,
  threshold: number,
  signers: ReadonlyArray<KeySigner | PublicKeyRef>,
): Account {
  const usable = signers
    .map((signer, index) => ({ signer, index }))
    .filter((s): s is { signer: KeySigner; index: number } => "sign" in s.signer);
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > signers.length)
    throw new RangeError(`multisig: threshold ${threshold} is not between 1 and ${signers.length}`);
  if (usable.length < threshold)
    throw new RangeError(`multisig: ${usable.length} signers can sign, the threshold is ${threshold}`);
  if (signers.length > 255) throw new RangeError("multisig: at most 255 signers");
  const chosen = usable.slice(0, threshold);
  return {
    address: parseAddress(address),
    kind: "multisig",
    signAuth(hash) {
      const signatures = chosen.map(({ signer }) => signer.sign(hash));
      if (signatures.some((s) => s instanceof Promise))
        return Promise.all(signatures).then((all) =>
          encodeMultisigAuth(chosen.map((c, i) => [c.index, all[i] as Uint8Array])),
        );
      return encodeMultisigAuth(chosen.map((c, i) => [c.index, signatures[i] as Uint8Array]));
    },
  };
}

/** The multisig authorisation from (signer index, that signer's authorisation) pairs. */
export function encodeMultisigAuth(signatures: ReadonlyArray<readonly [number, Uint8Array]>): Uint8Array {
  const sorted = [...signatures].sort((a, b) => a[0] - b[0]);
  const parts: Uint8Array[] = [new Uint8Array([sorted.length])];
  for (const [index, signature] of sorted) {
    parts.push(new Uint8Array([index]), encodeAbi(["bytes"], [signature]));
  }
  return concatBytes(...parts);
}

/** The multisig contract's constructor arguments: [threshold, schemes, keys]. */
export function multisigInitArgs(
  threshold: number,
  signers: ReadonlyArray<PublicKeyRef>,
): [number, number[], Uint8Array[]] {
  return [threshold, signers.map((s) => MULTISIG_SCHEME[s.scheme]), signers.map((s) => s.key)];
}
