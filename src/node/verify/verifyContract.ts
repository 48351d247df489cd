/**
 * Verifying a deployed contract's metadata (`weft_verifyContract`, `weft verify`): the
 * caller gives the contract's address, the metadata JSON the build wrote and the wasm it
 * was built from. The wasm's keccak-256 must be the code hash stored at the address, and
 * the metadata must describe that wasm: its methods are exactly the wasm's exported
 * methods (the build generates one export per method, plus `init` for the constructor),
 * every event's topic 0 is the keccak-256 of its signature, and a `codeHash` field, when
 * present, matches. The metadata is then stored under the code hash (the chain database's
 * meta record `code:<codeHash>`), so every contract running that code is decoded with it.
 */
import type { Address } from "../../codec/address.js";
import { toHex, utf8 } from "../../codec/bytes.js";
import { keccak256 } from "../../codec/hash.js";
import type { ContractMetadata } from "../../codec/metadata.js";
import { codeHashKey } from "../../state/keys.js";
import type { StateReader } from "../../state/storage.js";
import { DeployError } from "../../vm/errors.js";
import { validateContract } from "../../vm/wasm/validate.js";

export type VerifyErrorCode = "NO_CODE" | "CODE_MISMATCH" | "BAD_METADATA" | "METADATA_MISMATCH" | "BAD_WASM";

export class VerifyError extends Error {
  constructor(
    readonly code: VerifyErrorCode,
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = "VerifyError";
  }
}

/** What is stored for verified code. */
export interface VerifiedCode {
  codeHash: string;
  name: string;
  metadata: ContractMetadata;
  /** The address that was verified, and the block then at the head. */
  verifiedAt: { address: Address; blockNumber: number };
}

export const verifiedCodeKey = (codeHash: string): string => `code:${codeHash}`;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function checkShape(m: unknown): ContractMetadata {
  const problems: string[] = [];
  if (!isObject(m)) throw new VerifyError("BAD_METADATA", "metadata: expected a JSON object");
  if (typeof m.name !== "string" || m.name.length === 0 || m.name.length > 128)
    problems.push("name: expected a string of 1 to 128 characters");
  if (m.abiVersion !== 1) problems.push("abiVersion: expected 1");
  for (const list of ["methods", "events", "errors"] as const) {
    const items = m[list];
    if (!Array.isArray(items) || items.length > 1024) {
      problems.push(`${list}: expected an array`);
      continue;
    }
    items.forEach((item, i) => {
      if (!isObject(item) || typeof item.name !== "string" || !Array.isArray(item.inputs))
        problems.push(`${list}[${i}]: expected { name, inputs, ... }`);
    });
  }
  if (problems.length > 0) throw new VerifyError("BAD_METADATA", "the metadata is malformed", problems);
  return m as unknown as ContractMetadata;
}

/** Checks `metadata` and `wasm` against the code at `address`; returns what to store. */
export function verifyContract(
  state: StateReader,
  address: Address,
  metadataJson: unknown,
  wasm: Uint8Array,
  blockNumber: number,
): VerifiedCode {
  const stored = state.get(codeHashKey(address));
  if (stored === undefined) throw new VerifyError("NO_CODE", `${address} holds no contract`);
  const codeHash = `0x${toHex(stored)}`;
  const wasmHash = `0x${toHex(keccak256(wasm))}`;
  if (wasmHash !== codeHash)
    throw new VerifyError("CODE_MISMATCH", `the wasm's hash ${wasmHash} is not the code hash at ${address}`, [
      `code hash at ${address}: ${codeHash}`,
      "give the .wasm the contract was deployed from",
    ]);
  const metadata = checkShape(metadataJson);
  const declared = (metadataJson as Record<string, unknown>).codeHash;
  if (declared !== undefined && String(declared).toLowerCase() !== codeHash)
    throw new VerifyError(
      "METADATA_MISMATCH",
      `the metadata names code hash ${String(declared)}, not ${codeHash}`,
    );
  let exported: string[];
  try {
    exported = validateContract(wasm).methods;
  } catch (error) {
    if (error instanceof DeployError)
      throw new VerifyError("BAD_WASM", `the wasm is not a contract: ${error.message}`);
    throw error;
  }
  const problems: string[] = [];
  const described = new Set(metadata.methods.map((m) => m.name));
  for (const name of described)
    if (!exported.includes(name)) problems.push(`method ${name} is not exported by the wasm`);
  for (const name of exported)
    if (name !== "init" && !described.has(name))
      problems.push(`the wasm exports ${name}, which the metadata does not describe`);
  for (const e of metadata.events) {
    const topic = `0x${toHex(keccak256(utf8(String(e.signature))))}`;
    if (topic !== String(e.topic0).toLowerCase())
      problems.push(`event ${e.name}: topic0 ${String(e.topic0)} is not keccak256("${String(e.signature)}")`);
  }
  if (problems.length > 0)
    throw new VerifyError("METADATA_MISMATCH", "the metadata was not produced for this code", problems);
  return { codeHash, name: metadata.name, metadata, verifiedAt: { address, blockNumber } };
}
