/**
 * libsecp256k1 through the `secp256k1` package's prebuilt addon, when it loads (linux-x64
 * ships one; elsewhere it may be missing). Recovery is 10-15x faster than @noble/curves
 * (`node dist/bench/ethRecover.js`), and gas prices recovery at the native speed
 * (`GAS.SECP256K1_RECOVER`): a node without the addon recovers the same keys, slower, and
 * says so at start (`secp256k1Backend`).
 */
import { createRequire } from "node:module";

interface NativeSecp256k1 {
  ecdsaRecover(signature: Uint8Array, recovery: number, hash: Uint8Array, compressed: boolean): Uint8Array;
}

let native: NativeSecp256k1 | undefined | null = null;

function loadNative(): NativeSecp256k1 | undefined {
  if (native === null) {
    try {
      native = createRequire(import.meta.url)("secp256k1/bindings") as NativeSecp256k1;
    } catch {
      native = undefined;
    }
  }
  return native;
}

/** Which implementation recovers secp256k1 keys in this process. */
export function secp256k1Backend(): "libsecp256k1" | "noble" {
  return loadNative() === undefined ? "noble" : "libsecp256k1";
}

/**
 * The uncompressed public key (65 bytes) that signed `hash` as the 64-byte r ‖ s with
 * `recovery` (0 or 1), by libsecp256k1; undefined when the addon is missing. Throws when
 * no key recovers.
 */
export function nativeRecover(
  compact: Uint8Array,
  recovery: number,
  hash: Uint8Array,
): Uint8Array | undefined {
  const lib = loadNative();
  return lib === undefined ? undefined : lib.ecdsaRecover(compact, recovery, hash, false);
}
