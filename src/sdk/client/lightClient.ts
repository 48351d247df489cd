/**
 * The light-client check: a state value proven against a block header that the validators
 * certified, trusting nothing the node says. Anyone holding the validator set checks
 *   - the header hashes to its hash (which covers its state root) and is of the chain;
 *   - the commit certificate (`weft_getBlockCertificate`) is for that height and hash, names
 *     each signer once and only members of the set, the signers hold more than 2/3 of the
 *     set's power, and their aggregate BLS signature verifies over the precommit bytes
 *     (`consensus/certificate.ts` `verifyCertificate`);
 *   - the Merkle proof of the value verifies against the header's state root.
 *
 * The trusted set is that of one epoch (epoch e signs heights e·L+1 .. (e+1)·L; the genesis
 * set, from the genesis file, signs epoch 0 and block 0). `verifyCertifiedHeader` refuses a
 * header of another epoch with `LightClientError` EPOCH; `getCertifiedValue` first follows the
 * set to the block's epoch by the epoch links the node serves (`weft_getEpochLinks`, checked
 * link by link: `followEpochs.ts`), from the genesis set or from a checkpoint block.
 *
 * Exported as `@weft-chain/weft/light-client` (it loads the native BLS library).
 */

import { parseGenesis } from "../../chain/genesisFile.js";
import { networkStakingAddress } from "../../chain/staking/genesisStaking.js";
import type { Address } from "../../codec/address.js";
import { fromHex } from "../../codec/bytes.js";
import { type CommitCertificate, verifyCertificate } from "../../consensus/certificate.js";
import { ConsensusError } from "../../consensus/errors.js";
import { SIGNATURE_LENGTH } from "../../consensus/types.js";
import { ValidatorSet } from "../../consensus/validatorSet.js";
import type { WeftClient } from "./client.js";
import { trustedSetAt } from "./followEpochs.js";
import { LightClientError, type TrustedValidators, type TrustPath } from "./lightClientError.js";
import { headerHashMatches, verifyStorage } from "./proofs.js";
import type { BlockHeader, Hex, StateProof } from "./types.js";

export type { TrustedCheckpoint } from "../../lightclient/epochLink.js";
export {
  advanceTrustedSet,
  checkpointValidators,
  type EpochLinkItem,
  fetchEpochLinks,
  trustCheckpoint,
  trustedSetAt,
} from "./followEpochs.js";
export {
  LightClientError,
  type LightClientErrorCode,
  type TrustedValidators,
  type TrustPath,
} from "./lightClientError.js";

/** The certificate as `weft_getBlockCertificate` answers it (the fields this check uses). */
export interface CertificateView {
  height: number;
  round: number;
  blockHash: string;
  signers: Array<{ index: number }>;
  signature: string;
}

export interface CertifiedHeader {
  header: BlockHeader;
  signers: number;
  validators: number;
  signedPower: bigint;
  totalPower: bigint;
}

/** Power is proportional to stake, scaled so that a set's total is at most 1e9 (contracts/src/staking/validatorSet.ts). */
const POWER_SCALE = 1_000_000_000n;

/**
 * The set of epoch 0 from a genesis file (its JSON, parsed or as text): the genesis validators
 * ranked by stake (stable, in file order among equals), the first `activeSize`, each with
 * power stake·1e9/total rounded down, those whose power rounds to 0 left out: what the
 * staking contract computes at genesis. It names the staking contract (its address derived as
 * the genesis deploys it), whose proven records give the later epochs' sets.
 */
export function genesisValidators(genesis: unknown): TrustedValidators {
  let g: ReturnType<typeof parseGenesis>;
  try {
    g = parseGenesis(typeof genesis === "string" ? JSON.parse(genesis) : genesis);
  } catch (e) {
    throw new LightClientError("GENESIS", `not a validator network's genesis: ${(e as Error).message}`);
  }
  const ranked = g.network.validators
    .map((v, i) => ({ v, i }))
    .sort((a, b) => (a.v.stake === b.v.stake ? a.i - b.i : a.v.stake > b.v.stake ? -1 : 1))
    .slice(0, g.network.activeSize)
    .filter(({ v }) => v.stake > 0n);
  const total = ranked.reduce((sum, { v }) => sum + v.stake, 0n);
  const members = ranked
    .map(({ v }) => ({ v, power: (v.stake * POWER_SCALE) / total }))
    .filter(({ power }) => power > 0n);
  let set: ValidatorSet;
  try {
    set = ValidatorSet.create(members.map(({ v, power }) => ({ publicKey: v.blsKey, votingPower: power })));
  } catch (e) {
    throw new LightClientError("GENESIS", `the genesis validators make no set: ${(e as Error).message}`);
  }
  let staking: Address;
  try {
    staking = networkStakingAddress(g.network.unbondingSeconds);
  } catch (e) {
    throw new LightClientError("GENESIS", `the staking contract's address: ${(e as Error).message}`);
  }
  return {
    chainId: g.chainId,
    epoch: 0,
    epochLength: Number(g.network.epochLength),
    set,
    operators: members.map(({ v }) => v.operator),
    staking,
    reached: { from: "genesis", links: 0 },
  };
}

/** The epoch a height belongs to (block 0, genesis, is epoch 0's). */
export function epochOfHeight(height: number, epochLength: number): number {
  return height === 0 ? 0 : Math.floor((height - 1) / epochLength);
}

function certificateOf(view: CertificateView, set: ValidatorSet): CommitCertificate {
  const bad = (why: string): never => {
    throw new LightClientError("CERTIFICATE", `the certificate of block ${view.height}: ${why}`);
  };
  const hex = (v: unknown, bytes: number, field: string): Uint8Array =>
    typeof v === "string" && new RegExp(`^0x[0-9a-fA-F]{${2 * bytes}}$`).test(v)
      ? fromHex(v)
      : bad(`${field} is not 0x and ${bytes} bytes of hex`);
  if (!Number.isSafeInteger(view.height) || view.height < 0) bad("its height is not a block number");
  if (!Number.isSafeInteger(view.round) || view.round < 0) bad("its round is not a number");
  if (!Array.isArray(view.signers)) bad("it lists no signers");
  const bitmap = new Uint8Array(Math.ceil(set.size / 8));
  for (const s of view.signers) {
    const i = s?.index;
    if (!Number.isSafeInteger(i) || i < 0 || i >= set.size)
      bad(`signer ${String(i)} is not a member of the trusted set of ${set.size}`);
    if (((bitmap[i >> 3] as number) >> (i & 7)) & 1) bad(`signer ${i} is named twice`);
    bitmap[i >> 3] = (bitmap[i >> 3] as number) | (1 << (i & 7));
  }
  return {
    height: view.height,
    round: view.round,
    blockHash: hex(view.blockHash, 32, "its block hash"),
    signers: bitmap,
    signature: hex(view.signature, SIGNATURE_LENGTH, "its signature"),
  };
}

/**
 * Checks that `trusted`'s validators certified `header` with `certificate` (as the module's
 * comment says); returns who signed. Throws `LightClientError` saying what does not hold.
 */
export function verifyCertifiedHeader(
  header: BlockHeader,
  certificate: CertificateView | null,
  trusted: TrustedValidators,
): CertifiedHeader {
  const where = [`block: ${header.number} (${header.hash})`];
  if (BigInt(header.chainId) !== trusted.chainId)
    throw new LightClientError(
      "HEADER",
      `the header is of chain ${header.chainId}, not ${trusted.chainId}`,
      where,
    );
  if (!headerHashMatches(header))
    throw new LightClientError("HEADER", "the header does not hash to its hash", where);
  const epoch = epochOfHeight(header.number, trusted.epochLength);
  if (epoch !== trusted.epoch)
    throw new LightClientError(
      "EPOCH",
      `block ${header.number} is of epoch ${epoch}, the trusted set signs epoch ${trusted.epoch} (heights ${trusted.epoch * trusted.epochLength + 1}..${(trusted.epoch + 1) * trusted.epochLength}); ${epoch > trusted.epoch ? `follow the set to epoch ${epoch} first (advanceTrustedSet, trustedSetAt)` : "a set is never followed back: start from an earlier trust root (the genesis set, an older checkpoint)"}`,
      where,
    );
  if (certificate === null)
    throw new LightClientError(
      "NO_CERTIFICATE",
      `the node has no certificate for block ${header.number}`,
      where,
    );
  const cert = certificateOf(certificate, trusted.set);
  try {
    verifyCertificate(cert, trusted.set, trusted.chainId.toString(), {
      height: header.number,
      blockHash: fromHex(header.hash),
    });
  } catch (e) {
    if (e instanceof ConsensusError) throw new LightClientError("CERTIFICATE", e.message, where);
    throw e;
  }
  const indices = certificate.signers.map((s) => s.index);
  return {
    header,
    signers: indices.length,
    validators: trusted.set.size,
    signedPower: indices.reduce((sum, i) => sum + trusted.set.power(i), 0n),
    totalPower: trusted.set.totalPower,
  };
}

export interface CertifiedValue {
  key: string;
  value: Uint8Array | undefined;
  blockNumber: number;
  stateRoot: Hex;
  blockHash: Hex;
  certificate: Omit<CertifiedHeader, "header">;
  /** The set that signed (`getCertifiedValue`): its epoch and how it was reached from the trust root. */
  signedBy?: { epoch: number; reached: TrustPath };
}

/**
 * Checks a proof answer (`weft_getProof`) against a certified header: the header's state root
 * must be the proof's, and the proof must verify for `key`. Throws `LightClientError` PROOF.
 */
export function verifyValueAgainstHeader(
  key: string,
  answer: StateProof,
  certified: CertifiedHeader,
): CertifiedValue {
  const { header } = certified;
  const where = [`key: ${key}`, `block: ${header.number}`, `state root: ${header.stateRoot}`];
  if (answer.blockNumber !== header.number || answer.stateRoot !== header.stateRoot)
    throw new LightClientError("PROOF", "the proof is not against the certified block's state root", [
      ...where,
      `proof: block ${answer.blockNumber}, root ${answer.stateRoot}`,
    ]);
  if (
    answer.proof === undefined ||
    !verifyStorage({ key, value: answer.value, proof: answer.proof, stateRoot: header.stateRoot })
  )
    throw new LightClientError("PROOF", "the Merkle proof does not verify against the certified state root", [
      ...where,
      `value claimed: ${answer.value ?? "absent"}`,
    ]);
  const { header: _, ...certificate } = certified;
  return {
    key,
    value: answer.value === null ? undefined : fromHex(answer.value),
    blockNumber: header.number,
    stateRoot: header.stateRoot,
    blockHash: header.hash,
    certificate,
  };
}

/**
 * Fetches `stateKey` with its proof, the block's header and certificate, and verifies all three
 * against `trusted`, followed first to the block's epoch by the node's epoch links when the block
 * is of a later epoch (`trustedSetAt`: each link checked against the set before it). Pass the
 * answer's `trusted` back in next time to skip the links already followed.
 */
export async function getCertifiedValue(
  client: WeftClient,
  stateKey: string,
  trusted: TrustedValidators,
): Promise<CertifiedValue & { trusted: TrustedValidators }> {
  const key = stateKey.replace(/^0x/, "").toLowerCase();
  const answer = await client.getProof(key);
  const block = await client.getBlock({ number: answer.blockNumber });
  if (block === null)
    throw new LightClientError("HEADER", `the node does not know the proof's block ${answer.blockNumber}`);
  const certificate = await client.request<CertificateView | null>("weft_getBlockCertificate", [
    answer.blockNumber,
  ]);
  const signing = await trustedSetAt(client, trusted, block.number);
  const verified = verifyValueAgainstHeader(key, answer, verifyCertifiedHeader(block, certificate, signing));
  return {
    ...verified,
    signedBy: { epoch: signing.epoch, reached: signing.reached ?? { from: "genesis", links: 0 } },
    trusted: signing,
  };
}
