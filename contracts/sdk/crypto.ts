/** Hashing by the host (priced per 32-byte word). */
import { Bytes32 } from "./address";
import * as host from "./host";

export function sha256(data: Uint8Array): Bytes32 {
  const out = new Uint8Array(32);
  host.sha256(data.dataStart, data.length, out.dataStart);
  return new Bytes32(out);
}

export function keccak256(data: Uint8Array): Bytes32 {
  const out = new Uint8Array(32);
  host.keccak256(data.dataStart, data.length, out.dataStart);
  return new Bytes32(out);
}
