/** Big-endian integers as Ethereum encodes them. */

/** The unsigned big-endian integer in `bytes` (empty = 0). */
export function bytesToBigIntBE(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  return BigInt(`0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}`);
}
