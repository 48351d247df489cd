/**
 * Epoch links: what proves the validator set of epoch e to a holder of the set of epoch e − 1.
 *
 * The set of epoch e signs heights e·L+1 .. (e+1)·L (L the epoch length); the staking
 * contract computes it at the end of block e·L, the last block the set of epoch e−1 signs.
 * So block e·L's certified state root commits to set e. An epoch link is what proves it:
 *   - the header of block e·L and its commit certificate;
 *   - the staking contract's records the set is read from (`readValidatorSet`: the epoch
 *     length, the newest epoch, the set's size, members, powers and BLS keys), each with a
 *     Merkle proof (inclusion, or absence for a record that is not there) against that
 *     header's state root.
 *
 *   link: u8 version 1 ‖ header (u32 n ‖ JSON) ‖ certificate (u32 m ‖ bytes) ‖ u16 records ‖
 *         records × (key (u32 ‖ bytes) ‖ u8 present ‖ [value (u32 ‖ bytes)] ‖ proof)
 *   proof: u8 has leaf ‖ [leaf path (32) ‖ leaf value hash (32)] ‖ u16 k ‖ k × sibling (32)
 *
 * This module and `verifyEpochLink.ts` are pure (no store, no network): the node records and
 * serves links (`node/epochLinks.ts`, state sync over libp2p, `weft_getEpochLinks`); state sync
 * and the SDK's light client (`sdk/client/lightClient.ts`) check them.
 */
import type { BlockHeader } from "../chain/blockHeader.js";
import { fromHex, toHex, utf8 } from "../codec/bytes.js";
import { type CommitCertificate, decodeCertificate, encodeCertificate } from "../consensus/certificate.js";
import { Reader, Writer } from "../consensus/wire.js";
import type { StateKey, StateValue } from "../state/keys.js";
import type { MerkleProof } from "../state/merkle/proof.js";
import { MAX_CERTIFICATE_BYTES, MAX_HEADER_JSON, parseHeader } from "./headerJson.js";

const LINK_VERSION = 1;
/** Most records a link proves: 2 + 3 per member of a set of at most 1,000. */
export const MAX_LINK_RECORDS = 3_002;
/** Most bytes of one encoded link. */
export const MAX_LINK_BYTES = 1 << 20;

export interface EpochLink {
  header: BlockHeader;
  certificate: CommitCertificate;
  records: Array<{ key: StateKey; value: StateValue | undefined; proof: MerkleProof }>;
}

export type EpochLinkErrorCode =
  | "MALFORMED"
  | "HEIGHT"
  | "HEADER"
  | "CERTIFICATE"
  | "PROOF"
  | "MISSING"
  | "CHECKPOINT";

/**
 * A block the operator trusts (`weft node --checkpoint <height>:<hash>`): weak subjectivity.
 * Its height is an epoch's last block, so its link proves the set that signs the next epoch.
 */
export interface TrustedCheckpoint {
  readonly height: number;
  /** The block's hash, `0x` and 64 hex digits. */
  readonly hash: string;
}

export class EpochLinkError extends Error {
  constructor(
    readonly code: EpochLinkErrorCode,
    /** What was wrong, without the code in front. */
    readonly reason: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(`${code}: ${reason}`);
    this.name = "EpochLinkError";
  }
}

export function encodeEpochLink(link: EpochLink): Uint8Array {
  const w = new Writer()
    .u8(LINK_VERSION)
    .bytes(utf8(JSON.stringify(link.header)))
    .bytes(encodeCertificate(link.certificate))
    .u16(link.records.length);
  for (const { key, value, proof } of link.records) {
    w.bytes(fromHex(key)).u8(value === undefined ? 0 : 1);
    if (value !== undefined) w.bytes(value);
    w.u8(proof.leaf === undefined ? 0 : 1);
    if (proof.leaf !== undefined) w.fixed(proof.leaf.path).fixed(proof.leaf.valueHash);
    w.u16(proof.siblings.length);
    for (const s of proof.siblings) w.fixed(s);
  }
  return w.finish();
}

export function decodeEpochLink(bytes: Uint8Array): EpochLink {
  try {
    if (bytes.length > MAX_LINK_BYTES) throw new Error(`${bytes.length} bytes, at most ${MAX_LINK_BYTES}`);
    const r = new Reader(bytes, "epoch link");
    const version = r.u8("version");
    if (version !== LINK_VERSION) throw new Error(`version ${version}, this node reads ${LINK_VERSION}`);
    const header = parseHeader(r.bytes(MAX_HEADER_JSON, "header"));
    const certificate = decodeCertificate(r.bytes(MAX_CERTIFICATE_BYTES, "certificate"));
    const count = r.u16("records");
    if (count > MAX_LINK_RECORDS) throw new Error(`${count} records, at most ${MAX_LINK_RECORDS}`);
    const records: EpochLink["records"] = [];
    for (let i = 0; i < count; i++) {
      const key = toHex(r.bytes(256, "key"));
      const value = r.u8("present") === 1 ? r.bytes(MAX_LINK_BYTES, "value") : undefined;
      const leaf =
        r.u8("has leaf") === 1
          ? { path: r.fixed(32, "leaf path"), valueHash: r.fixed(32, "leaf hash") }
          : undefined;
      const depth = r.u16("siblings");
      if (depth > 256) throw new Error(`a proof of depth ${depth}`);
      const siblings = Array.from({ length: depth }, () => r.fixed(32, "sibling"));
      records.push({ key, value, proof: { leaf, siblings } });
    }
    r.end();
    return { header, certificate, records };
  } catch (e) {
    throw new EpochLinkError("MALFORMED", `epoch link: ${(e as Error).message}`);
  }
}
