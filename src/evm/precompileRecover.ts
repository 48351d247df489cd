/**
 * The ECRECOVER precompile (0x01) of the runner's EVMs, by libsecp256k1.
 */
import { nativeRecover } from "../codec/secp256k1Native.js";

export type Recover = (
  msgHash: Uint8Array,
  v: bigint,
  r: Uint8Array,
  s: Uint8Array,
  chainId?: bigint,
) => Uint8Array;

/**
 * The ECRECOVER precompile's recovery (0x01) by libsecp256k1 (`codec/secp256k1Native.ts`):
 * @noble's, which ethereumjs uses, took 1,665 µs of CPU a recovery against 61 µs (load ~25),
 * far past the precompile's price. The precompile calls it only with v 27 or 28 and 32-byte
 * words; it returns the 64-byte public key, or throws when none recovers (as @noble's does:
 * the precompile then returns nothing). Without the addon, or for any other v, @noble's.
 */
export function precompileRecover(noble: Recover): Recover {
  return (msgHash, v, r, s, chainId) => {
    if ((v !== 27n && v !== 28n) || r.length !== 32 || s.length !== 32 || msgHash.length !== 32)
      return noble(msgHash, v, r, s, chainId);
    const compact = new Uint8Array(64);
    compact.set(r, 0);
    compact.set(s, 32);
    const key = nativeRecover(compact, Number(v - 27n), msgHash);
    return key === undefined ? noble(msgHash, v, r, s, chainId) : key.subarray(1);
  };
}
