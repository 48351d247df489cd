/**
 * Following the validator set from genesis to a recent height without the blocks between:
 * the trust a state-syncing node needs before it can check a recent certificate.
 *
 * The set of epoch e signs heights e·L+1 .. (e+1)·L (L the epoch length); the staking
 * contract computes it at the end of block e·L, the last block the set of epoch e−1 signs.
 * So block e·L's certified state root commits to set e. An epoch link is what proves it:
 *   - the header of block e·L and its commit certificate;
 *   - the staking contract's records the set is read from (`readValidatorSet`: the epoch
 *     length, the newest epoch, the set's size, members, powers and BLS keys), each with a
 *     Merkle proof (inclusion, or absence for a record that is not there) against that
 *     header's state root.
 * A client starts from the genesis set (its own genesis state) and, for e = 1, 2, …, checks
 * link e's header (hash, chain), its certificate against set e−1 (more than 2/3 of its
 * power), every proof against the header's root, then reads set e from the proven records
 * alone (a record with no proof is an error, never a default). Link e's set then checks
 * link e+1, and the last set the claim at the snapshot height (`verifyEpochChain`).
 *
 * A node records link e when it commits block e·L (`recordEpochLink`: the tree is at that
 * block's root then) as meta `epochLink:<e>`, and a node that state-synced stores the links
 * it checked: both serve them to the nodes after them.
 *
 *   link: u8 version 1 ‖ header (u32 n ‖ JSON) ‖ certificate (u32 m ‖ bytes) ‖ u16 records ‖
 *         records × (key (u32 ‖ bytes) ‖ u8 present ‖ [value (u32 ‖ bytes)] ‖ proof)
 *   proof: u8 has leaf ‖ [leaf path (32) ‖ leaf value hash (32)] ‖ u16 k ‖ k × sibling (32)
 *
 * As for any light client, a set is trusted only as long as it was not sold off: stake that
 * unbonded long ago could sign another history (a long-range attack). The genesis set is the
 * root of trust here; see ARCHITECTURE.md "State sync".
 */
import { type ReadState, readValidatorSet } from "../chain/staking/validatorSet.js";
import type { Address } from "../codec/address.js";
import { fromHex, toHex, utf8 } from "../codec/bytes.js";
import {
  type CommitCertificate,
  decodeCertificate,
  encodeCertificate,
  verifyCertificate,
} from "../consensus/certificate.js";
import { ValidatorSet } from "../consensus/validatorSet.js";
import { Reader, Writer } from "../consensus/wire.js";
import type { StateKey, StateValue } from "../state/keys.js";
import type { MerkleProof } from "../state/merkle/proof.js";
import { verifyProof } from "../state/merkle/proof.js";
import { checkHeader, MAX_CERTIFICATE_BYTES, MAX_HEADER_JSON, parseHeader } from "./certifiedStateSync.js";
import { consensusValidatorSet } from "./stakingConsensus.js";
import type { BlockHeader } from "./store/records.js";

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
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(`${code}: ${message}`);
    this.name = "EpochLinkError";
  }
}

export function epochLinkKey(epoch: number): string {
  return `epochLink:${epoch}`;
}

/** Link `epoch` from the committed state at block epoch·L: `read` and `prove` must be of that block's root. */
export function recordEpochLink(
  read: ReadState,
  prove: (key: StateKey) => MerkleProof,
  staking: Address,
  epoch: number,
  header: BlockHeader,
  certificate: CommitCertificate,
): EpochLink {
  const keys: StateKey[] = [];
  readValidatorSet(
    (key) => {
      keys.push(key);
      return read(key);
    },
    staking,
    BigInt(epoch),
  );
  const records = [...new Set(keys)].map((key) => ({ key, value: read(key), proof: prove(key) }));
  return { header, certificate, records };
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

export interface EpochChainInput {
  chainId: string;
  staking: Address;
  epochLength: number;
  /** The set of epoch 0, from the node's own genesis state. */
  genesisSet: ValidatorSet;
}

/**
 * Checks `links` (link 1, 2, … in order) from the genesis set, as the module's comment says;
 * returns the set of each epoch 0..links.length. Throws `EpochLinkError` naming the epoch.
 */
export function verifyEpochChain(links: readonly EpochLink[], input: EpochChainInput): ValidatorSet[] {
  const sets = [input.genesisSet];
  links.forEach((link, i) => {
    sets.push(verifyEpochLink(link, i + 1, sets[i] as ValidatorSet, input));
  });
  return sets;
}

/**
 * Checks link `epoch` against `previous`, the set of epoch − 1 (the genesis set for link
 * 1), as the module's comment says; returns the set of `epoch`. A client checks each link
 * as it arrives, so that a peer cannot make it hold links it has not checked (a claim of
 * a far height asks for as many links as there are epochs below it).
 */
/**
 * Checks link `epoch` and returns the set it proves. The link is certified by `previous`, the
 * set of the epoch before, or, for the operator's checkpoint, is that very block (its hash is
 * the checkpoint's: no earlier link is needed to trust it).
 */
export function verifyEpochLink(
  link: EpochLink,
  epoch: number,
  previous: ValidatorSet | TrustedCheckpoint,
  input: EpochChainInput,
): ValidatorSet {
  const height = epoch * input.epochLength;
  const { header, certificate } = link;
  if (header.number !== height)
    throw new EpochLinkError("HEIGHT", `link ${epoch} is block ${header.number}, not ${height}`, { epoch });
  try {
    checkHeader(header, input.chainId);
  } catch (e) {
    throw new EpochLinkError("HEADER", `link ${epoch}: ${(e as Error).message}`, { epoch });
  }
  if (!(previous instanceof ValidatorSet)) {
    if (header.hash.toLowerCase() !== previous.hash.toLowerCase())
      throw new EpochLinkError(
        "CHECKPOINT",
        `link ${epoch} is block ${header.hash}, not the checkpoint ${previous.hash}`,
        { epoch },
      );
  } else {
    try {
      verifyCertificate(certificate, previous, input.chainId, {
        height,
        blockHash: fromHex(header.hash),
      });
    } catch (e) {
      throw new EpochLinkError("CERTIFICATE", `link ${epoch}: ${(e as Error).message}`, { epoch });
    }
  }
  const root = fromHex(header.stateRoot);
  const proven = new Map<StateKey, StateValue | undefined>();
  for (const { key, value, proof } of link.records) {
    if (!verifyProof(root, key, value, proof))
      throw new EpochLinkError("PROOF", `link ${epoch}: the record ${key} does not prove against the root`, {
        epoch,
      });
    proven.set(key, value);
  }
  const read: ReadState = (key) => {
    if (!proven.has(key))
      throw new EpochLinkError("MISSING", `link ${epoch} proves no record ${key} of the set`, { epoch });
    return proven.get(key);
  };
  let set: ValidatorSet;
  try {
    set = consensusValidatorSet(readValidatorSet(read, input.staking, BigInt(epoch)));
  } catch (e) {
    if (e instanceof EpochLinkError) throw e;
    throw new EpochLinkError("PROOF", `link ${epoch}: ${(e as Error).message}`, { epoch });
  }
  if (set.size === 0) throw new EpochLinkError("PROOF", `link ${epoch} proves an empty set`, { epoch });
  return set;
}
