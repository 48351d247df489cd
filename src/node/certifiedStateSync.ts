/**
 * State sync to a certified root. A node that syncs state instead of replaying the chain
 * must trust the root it syncs to; a peer's word is not enough. So a server offers a claim
 * (`net/stateSync.ts` `fetchClaim`): a block header and the commit certificate of its hash.
 * The client checks it before it asks for a single chunk (`verifyRootClaim`):
 *   - the header hashes to its `hash` (`blockHash`: so its `stateRoot` is part of what was
 *     signed), and it is of this chain;
 *   - the certificate proves a commit of that hash at that height by more than 2/3 of the
 *     power of the validator set the client trusts for that height (`verifyCertificate`).
 * Only then is the header's state root used, and every manifest and chunk is verified
 * against it (`fetchState`). A claim that fails costs its peer `BAD_SYNC` and the next peer
 * is asked; so does a chunk that does not prove against the root.
 *
 *   claim: version u8 = 1 ‖ header (u32 length ‖ UTF-8 JSON of the `BlockHeader`) ‖
 *          certificate (u32 length ‖ `consensus/certificate.ts` bytes)
 *
 * The trusted set is the caller's: the genesis set for heights of the first epoch; later
 * epochs need the set the chain moved to (not done here: see ARCHITECTURE.md, "Sync").
 */
import { fromHex, utf8 } from "../codec/bytes.js";
import {
  type CommitCertificate,
  decodeCertificate,
  encodeCertificate,
  verifyCertificate,
} from "../consensus/certificate.js";
import type { ValidatorSet } from "../consensus/validatorSet.js";
import { Reader, Writer } from "../consensus/wire.js";
import {
  headerProblem,
  MAX_CERTIFICATE_BYTES,
  MAX_HEADER_JSON,
  parseHeader,
} from "../lightclient/headerJson.js";
import { NetError } from "../net/errors.js";
import type { P2pNode } from "../net/p2pNode.js";
import { fetchClaim, fetchState } from "../net/stateSync.js";
import type { SnapshotEntry } from "../state/merkle/snapshot.js";
import type { BlockHeader } from "./store/records.js";

const CLAIM_VERSION = 1;

export { MAX_CERTIFICATE_BYTES, MAX_HEADER_JSON, parseHeader };

export interface RootClaim {
  header: BlockHeader;
  certificate: CommitCertificate;
}

/** `MALFORMED`: it does not decode; `HEADER`: the header is not what its hash says, or of another chain; `CERTIFICATE`: no trusted quorum certified it. */
export type RootClaimErrorCode = "MALFORMED" | "HEADER" | "CERTIFICATE";

export class RootClaimError extends Error {
  constructor(
    readonly code: RootClaimErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = "RootClaimError";
  }
}

export function encodeRootClaim(claim: RootClaim): Uint8Array {
  return new Writer()
    .u8(CLAIM_VERSION)
    .bytes(utf8(JSON.stringify(claim.header)))
    .bytes(encodeCertificate(claim.certificate))
    .finish();
}

export function decodeRootClaim(bytes: Uint8Array): RootClaim {
  try {
    const r = new Reader(bytes, "root claim");
    const version = r.u8("version");
    if (version !== CLAIM_VERSION) throw new Error(`version ${version}, this node reads ${CLAIM_VERSION}`);
    const header = parseHeader(r.bytes(MAX_HEADER_JSON, "header"));
    const certificate = decodeCertificate(r.bytes(MAX_CERTIFICATE_BYTES, "certificate"));
    r.end();
    return { header, certificate };
  } catch (e) {
    throw new RootClaimError("MALFORMED", `root claim: ${(e as Error).message}`);
  }
}

/** Throws `RootClaimError` HEADER unless `header` is of `chainId` and hashes to its `hash` (which covers every field). */
export function checkHeader(header: BlockHeader, chainId: string): void {
  const problem = headerProblem(header, chainId);
  if (problem !== undefined) throw new RootClaimError("HEADER", problem);
}

/** The state root `claim` proves, checked against the trusted `setAt(height)`; throws `RootClaimError`. */
export function verifyRootClaim(
  claim: RootClaim,
  setAt: (height: number) => ValidatorSet,
  chainId: string,
): Uint8Array {
  const { header, certificate } = claim;
  checkHeader(header, chainId);
  const { hash } = header;
  let set: ValidatorSet;
  try {
    set = setAt(header.number);
  } catch (e) {
    throw new RootClaimError(
      "CERTIFICATE",
      `no trusted validator set for height ${header.number}: ${(e as Error).message}`,
    );
  }
  try {
    verifyCertificate(certificate, set, chainId, { height: header.number, blockHash: fromHex(hash) });
  } catch (e) {
    throw new RootClaimError("CERTIFICATE", (e as Error).message);
  }
  return fromHex(header.stateRoot);
}

/**
 * Syncs the state of the first peer (in `peers` order) whose claim holds: its header and
 * the entries at its certified state root, every chunk verified against that root.
 */
export async function syncCertifiedState(
  node: P2pNode,
  peers: readonly string[],
  setAt: (height: number) => ValidatorSet,
  chainId: string,
  onChunk?: (index: number, entries: SnapshotEntry[]) => void,
): Promise<{ header: BlockHeader; entries: SnapshotEntry[] }> {
  let last: unknown;
  for (const peer of peers) {
    let header: BlockHeader;
    let root: Uint8Array;
    try {
      ({ header, root } = await fetchClaim(node, peer, (bytes) => {
        const claim = decodeRootClaim(bytes);
        return { header: claim.header, root: verifyRootClaim(claim, setAt, chainId) };
      }));
    } catch (error) {
      last = error;
      continue;
    }
    // Parts of the state from any peer: each is verified against the certified root.
    const entries = await fetchState(node, peers, root, onChunk === undefined ? {} : { onPart: onChunk });
    return { header, entries };
  }
  if (last instanceof NetError) throw last;
  throw new NetError("STREAM", `no peer offered a certified state root: ${String(last)}`);
}
