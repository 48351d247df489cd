/**
 * A block header as a peer or a node sends it (UTF-8 JSON of `chain/blockHeader.ts`'s
 * `BlockHeader`), read with every field's type checked, and the two checks any holder of a
 * header makes before trusting it: it is of this chain, and it hashes to its `hash` (which
 * covers every field, the state root among them). Shared by state sync (`node/`) and the
 * light client (`sdk/client/lightClient.ts`).
 */
import { type BlockHeader, blockHash } from "../chain/blockHeader.js";

/** Most bytes of a header's JSON. */
export const MAX_HEADER_JSON = 4096;
/** Most bytes of an encoded commit certificate (`consensus/certificate.ts`). */
export const MAX_CERTIFICATE_BYTES = 1024;

const HEADER_FIELDS: Record<string, "string" | "number"> = {
  number: "number",
  hash: "string",
  parentHash: "string",
  time: "number",
  chainId: "string",
  feeRecipient: "string",
  stateRoot: "string",
  txRoot: "string",
  receiptsRoot: "string",
  gasUsed: "number",
  gasLimit: "number",
  txCount: "number",
};

/** A block header from its UTF-8 JSON, every field of the right type; throws a plain `Error` saying which is not. */
export function parseHeader(bytes: Uint8Array): BlockHeader {
  if (bytes.length > MAX_HEADER_JSON) throw new Error(`a header of ${bytes.length} bytes`);
  const json: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  if (typeof json !== "object" || json === null) throw new Error("the header is not an object");
  const h = json as Record<string, unknown>;
  for (const [field, type] of Object.entries(HEADER_FIELDS))
    if (typeof h[field] !== type) throw new Error(`header field ${field} is not a ${type}`);
  if (h.baseFee !== undefined && typeof h.baseFee !== "string")
    throw new Error("header field baseFee is not a string");
  for (const field of ["hash", "parentHash", "stateRoot"])
    if (!/^0x[0-9a-f]{64}$/.test(h[field] as string))
      throw new Error(`the header's ${field} is not 32 bytes of hex`);
  return json as BlockHeader;
}

/** Why `header` is not a header of `chainId` that hashes to its `hash`, or undefined when it is. */
export function headerProblem(header: BlockHeader, chainId: string): string | undefined {
  if (header.chainId !== chainId) return `the header is of chain ${header.chainId}, not ${chainId}`;
  const { hash, ...fields } = header;
  if (blockHash(fields) !== hash) return `header ${header.number} does not hash to ${hash}`;
  return undefined;
}
