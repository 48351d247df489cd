/**
 * The node's side of epoch links (`lightclient/epochLink.ts`: what proves each epoch's validator
 * set; `lightclient/verifyEpochLink.ts`: checking them): a node records link e when it commits
 * block e·L (`recordEpochLink`: the tree is at that block's root then) as meta `epochLink:<e>`,
 * and a node that state-synced stores the links it checked: both serve them to the nodes after
 * them (state sync over libp2p, `stateSyncServe.ts`) and to light clients (`weft_getEpochLinks`).
 */
import { type ReadState, readValidatorSet } from "../chain/staking/validatorSet.js";
import type { Address } from "../codec/address.js";
import type { CommitCertificate } from "../consensus/certificate.js";
import type { EpochLink } from "../lightclient/epochLink.js";
import type { StateKey } from "../state/keys.js";
import type { MerkleProof } from "../state/merkle/proof.js";
import type { BlockHeader } from "./store/records.js";

export {
  decodeEpochLink,
  type EpochLink,
  EpochLinkError,
  type EpochLinkErrorCode,
  encodeEpochLink,
  MAX_LINK_BYTES,
  MAX_LINK_RECORDS,
  type TrustedCheckpoint,
} from "../lightclient/epochLink.js";
export { type EpochChainInput, verifyEpochChain, verifyEpochLink } from "../lightclient/verifyEpochLink.js";

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
