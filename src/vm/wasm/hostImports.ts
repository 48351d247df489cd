/**
 * The host ABI v1 as signatures (docs/host-abi.md): the only imports a contract may
 * declare, from module `"weft"`, each with exactly this type. The validator checks
 * imports against this table; the host functions in `../hostFunctions.ts` (with `hostCalls.ts`, `hostCrypto.ts`) implement it.
 */
import { VALTYPE_I32 as I32, VALTYPE_I64 as I64 } from "./opcodes.js";

export const HOST_MODULE = "weft";
export const HOST_ABI_VERSION = 1;

export interface FuncSignature {
  readonly params: readonly number[];
  readonly results: readonly number[];
}

function sig(params: number[], results: number[] = []): FuncSignature {
  return { params, results };
}

export const HOST_IMPORTS: Readonly<Record<string, FuncSignature>> = {
  input_size: sig([], [I32]),
  input_copy: sig([I32]),
  set_return: sig([I32, I32]),
  revert: sig([I32, I32]),
  storage_get: sig([I32, I32, I32, I32], [I32]),
  storage_has: sig([I32, I32], [I32]),
  storage_set: sig([I32, I32, I32, I32]),
  storage_delete: sig([I32, I32]),
  storage_add: sig([I32, I32, I32, I32], [I32]),
  caller: sig([I32]),
  self_address: sig([I32]),
  value: sig([I32]),
  block_height: sig([], [I64]),
  block_time: sig([], [I64]),
  chain_id: sig([], [I64]),
  gas_left: sig([], [I64]),
  emit: sig([I32, I32, I32, I32]),
  balance: sig([I32, I32]),
  transfer: sig([I32, I32], [I32]),
  call: sig([I32, I32, I32, I32, I32, I32, I64], [I32]),
  create: sig([I32, I32, I32, I32, I32, I64, I32], [I32]),
  evm_call: sig([I32, I32, I32, I32, I64], [I32]),
  returndata_size: sig([], [I32]),
  returndata_copy: sig([I32]),
  sha256: sig([I32, I32, I32]),
  keccak256: sig([I32, I32, I32]),
  ed25519_verify: sig([I32, I32, I32, I32], [I32]),
  secp256k1_recover: sig([I32, I32, I32], [I32]),
  p256_verify: sig([I32, I32, I32, I32], [I32]),
  bls_verify: sig([I32, I32, I32, I32], [I32]),
};

export function sameSignature(a: FuncSignature, b: FuncSignature): boolean {
  return (
    a.params.length === b.params.length &&
    a.results.length === b.results.length &&
    a.params.every((t, i) => t === b.params[i]) &&
    a.results.every((t, i) => t === b.results[i])
  );
}

export function formatSignature(s: FuncSignature): string {
  const name = (t: number) => (t === I32 ? "i32" : t === I64 ? "i64" : `0x${t.toString(16)}`);
  return `(${s.params.map(name).join(", ")}) -> (${s.results.map(name).join(", ")})`;
}
