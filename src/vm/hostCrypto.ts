/**
 * The host functions that hash and check signatures (docs/host-abi.md): `sha256`,
 * `keccak256`, `ed25519_verify`, `secp256k1_recover`, `p256_verify`, `bls_verify`. Part of
 * the `"weft"` import object (`hostFunctions.ts`).
 */
import { BLS_PUBLIC_KEY_BYTES, BLS_SIGNATURE_BYTES, verifyBls } from "../codec/bls.js";
import { keccak256, sha256 } from "../codec/hash.js";
import {
  type CanonicalScheme,
  nonCanonicalReason,
  recoverSecp256k1,
  SignatureError,
  verifyEd25519,
  verifyP256,
} from "../codec/signatures.js";
import { FrameAbort } from "./frame.js";
import { GAS } from "./gasSchedule.js";
import { charge, type HostContext, limitExceeded } from "./hostContext.js";
import { MAX_INPUT_BYTES } from "./limits.js";
import { readBytes, viewBytes, writeAddress, writeBytes } from "./memoryAccess.js";
import { type SignatureScheme, signatureDigest } from "./verifiedSignatures.js";
import { vmError } from "./vmErrors.js";

/**
 * A signature in a form other than its scheme's one accepted form aborts the frame with
 * `NonCanonicalSignature(reason)` instead of answering: such a signature is never made by
 * an honest signer, only derived from a valid one, and a clear error tells its sender
 * what to fix (docs/host-abi.md).
 */
function requireCanonical(scheme: CanonicalScheme, signature: Uint8Array): void {
  const reason = nonCanonicalReason(scheme, signature);
  if (reason !== undefined)
    throw new FrameAbort("revert", vmError("NonCanonicalSignature", ["string"], [reason]));
}

/**
 * A signature verification that a digest this node recorded can stand in for, and that
 * records its digest when it verifies (see verifiedSignatures.ts). The caller charged gas.
 */
function verifiedOnce(
  ctx: HostContext,
  scheme: SignatureScheme,
  key: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
  verify: () => boolean,
): boolean {
  const known = ctx.env().preverified;
  if (known === undefined && ctx.onVerified === undefined) return verify();
  const digest = signatureDigest(scheme, key, message, signature);
  if (known?.has(digest)) return true;
  const ok = verify();
  if (ok) ctx.onVerified?.(digest);
  return ok;
}

/** The hashing and signature functions, bound to `ctx`. */
export function cryptoHostFunctions(ctx: HostContext) {
  return {
    sha256(ptr: number, len: number, dst: number): void {
      const f = ctx.frame();
      charge(f, GAS.HASH + GAS.SHA256_WORD * Math.ceil((len >>> 0) / 32));
      writeBytes(f, dst, sha256(viewBytes(f, ptr, len)));
    },
    keccak256(ptr: number, len: number, dst: number): void {
      const f = ctx.frame();
      charge(f, GAS.HASH + GAS.KECCAK_WORD * Math.ceil((len >>> 0) / 32));
      writeBytes(f, dst, keccak256(viewBytes(f, ptr, len)));
    },

    /** 1 if the 64-byte ed25519 signature of `msg` is valid for the 32-byte key, else 0. */
    ed25519_verify(pkPtr: number, msgPtr: number, msgLen: number, sigPtr: number): number {
      const f = ctx.frame();
      charge(f, GAS.ED25519_VERIFY + GAS.ED25519_WORD * Math.ceil((msgLen >>> 0) / 32));
      if (msgLen >>> 0 > MAX_INPUT_BYTES) throw limitExceeded(`signed message of ${msgLen >>> 0} bytes`);
      try {
        const key = readBytes(f, pkPtr, 32);
        const msg = readBytes(f, msgPtr, msgLen);
        const sig = readBytes(f, sigPtr, 64);
        requireCanonical("ed25519", sig);
        return verifiedOnce(ctx, "ed25519", key, msg, sig, () => verifyEd25519(key, msg, sig)) ? 1 : 0;
      } catch (error) {
        if (error instanceof SignatureError) return 0;
        throw error;
      }
    },
    /**
     * Recovers the signer of a 32-byte digest from a 65-byte r ‖ s ‖ v secp256k1 signature
     * (v 27 or 28, s ≤ n/2) and writes its 20-byte address to `dst`: 1, or 0 if the
     * signature is invalid. v 0/1 or a high s reverts with `NonCanonicalSignature`.
     */
    secp256k1_recover(digestPtr: number, sigPtr: number, dst: number): number {
      const f = ctx.frame();
      charge(f, GAS.SECP256K1_RECOVER);
      const sig = readBytes(f, sigPtr, 65);
      requireCanonical("secp256k1", sig);
      const address = recoverSecp256k1(readBytes(f, digestPtr, 32), sig);
      if (address === undefined) return 0;
      writeAddress(f, dst, address);
      return 1;
    },
    /**
     * 1 if the 64-byte r ‖ s P-256 signature over sha256(msg) is valid for the 65-byte key,
     * else 0. A high s (above n/2) reverts with `NonCanonicalSignature`.
     */
    p256_verify(pkPtr: number, msgPtr: number, msgLen: number, sigPtr: number): number {
      const f = ctx.frame();
      charge(f, GAS.P256_VERIFY + GAS.SHA256_WORD * Math.ceil((msgLen >>> 0) / 32));
      if (msgLen >>> 0 > MAX_INPUT_BYTES) throw limitExceeded(`signed message of ${msgLen >>> 0} bytes`);
      try {
        const key = readBytes(f, pkPtr, 65);
        const msg = readBytes(f, msgPtr, msgLen);
        const sig = readBytes(f, sigPtr, 64);
        requireCanonical("p256", sig);
        return verifiedOnce(ctx, "p256", key, msg, sig, () => verifyP256(key, msg, sig)) ? 1 : 0;
      } catch (error) {
        if (error instanceof SignatureError) return 0;
        throw error;
      }
    },
    /**
     * 1 if the 96-byte compressed BLS12-381 signature of `msg` is valid for the 48-byte
     * compressed public key (subgroup-checked, not infinity), else 0 (codec/bls.ts).
     */
    bls_verify(pkPtr: number, msgPtr: number, msgLen: number, sigPtr: number): number {
      const f = ctx.frame();
      charge(f, GAS.BLS_VERIFY + GAS.SHA256_WORD * Math.ceil((msgLen >>> 0) / 32));
      if (msgLen >>> 0 > MAX_INPUT_BYTES) throw limitExceeded(`signed message of ${msgLen >>> 0} bytes`);
      const key = readBytes(f, pkPtr, BLS_PUBLIC_KEY_BYTES);
      const msg = readBytes(f, msgPtr, msgLen);
      const sig = readBytes(f, sigPtr, BLS_SIGNATURE_BYTES);
      return verifyBls(key, msg, sig) ? 1 : 0;
    },
  };
}
