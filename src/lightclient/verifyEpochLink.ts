/**
 * Following the validator set from a trusted start (the genesis set, or a checkpoint block the
 * holder trusts by its hash) to a later epoch without the blocks between (the links are
 * described in `epochLink.ts`). For e = 1, 2, …, link e's header must be block e·L of this
 * chain and hash to its hash, its certificate must hold for set e − 1 (more than 2/3 of its
 * power, one aggregate BLS signature), every proof must hold for the header's root, and set e
 * is then read from the proven records alone (a record with no proof is `MISSING`, never a
 * default). Link e's set checks link e + 1.
 *
 * As for any light client, a set is trusted only as long as it was not sold off: stake that
 * unbonded long ago could sign another history (a long-range attack). The genesis set, or a
 * recent checkpoint, is the root of trust; see ARCHITECTURE.md "State sync".
 */
import { type ReadState, readValidatorSet } from "../chain/staking/validatorSet.js";
import type { Address } from "../codec/address.js";
import { fromHex } from "../codec/bytes.js";
import { verifyCertificate } from "../consensus/certificate.js";
import { ValidatorSet } from "../consensus/validatorSet.js";
import type { StateKey, StateValue } from "../state/keys.js";
import { verifyProof } from "../state/merkle/proof.js";
import { consensusValidatorSet } from "./consensusSet.js";
import { type EpochLink, EpochLinkError, type TrustedCheckpoint } from "./epochLink.js";
import { headerProblem } from "./headerJson.js";

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
 * Checks link `epoch` and returns the set it proves. The link is certified by `previous`, the
 * set of epoch − 1 (the genesis set for link 1), or, for a checkpoint the caller trusts, is
 * that very block (its hash is the checkpoint's: no earlier link is needed to trust it). A
 * client checks each link as it arrives, so that a peer cannot make it hold links it has not
 * checked (a claim of a far height asks for as many links as there are epochs below it).
 */
export function verifyEpochLink(
  link: EpochLink,
  epoch: number,
  previous: ValidatorSet | TrustedCheckpoint,
  input: Omit<EpochChainInput, "genesisSet">,
): ValidatorSet {
  const height = epoch * input.epochLength;
  const { header, certificate } = link;
  if (header.number !== height)
    throw new EpochLinkError("HEIGHT", `link ${epoch} is block ${header.number}, not ${height}`, { epoch });
  const problem = headerProblem(header, input.chainId);
  if (problem !== undefined) throw new EpochLinkError("HEADER", `link ${epoch}: ${problem}`, { epoch });
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
