/**
 * The staking contract of a validator network's genesis, as a holder of the genesis file can
 * know it without building the genesis state: its constructor arguments, the bound on evidence
 * age it enforces, and its address. The genesis deploys it eighth, from `GENESIS_DEPLOYER`
 * (`node/genesis/genesis.ts`, which checks that the contract it deployed is at this address,
 * so the two cannot drift). A light client reads later validator sets from this contract's
 * records (`lightclient/verifyEpochLink.ts`); it must not take the address from a node, which
 * could name a contract of its own whose records spell a set of its choosing.
 */
import { type Address, addressFromBytes, contractAddress } from "../../codec/address.js";
import { utf8 } from "../../codec/bytes.js";
import { keccak256 } from "../../codec/hash.js";
import { encodeCall } from "../../codec/metadata.js";
import { loadArtifact } from "../artifacts.js";

const E18 = 10n ** 18n;

/** The address that deploys the genesis contracts (no key: only genesis uses it). */
export const GENESIS_DEPLOYER: Address = addressFromBytes(
  keccak256(utf8("weft/genesis/deployer")).subarray(12),
);

/** The genesis deploys the staking contract eighth (its salt counts deployments). */
export const STAKING_DEPLOY_SALT = 8;

/** The most blocks evidence may be old: the staking contract's `MAX_EVIDENCE_AGE` (`configureNetwork` refuses more). */
export const MAX_EVIDENCE_AGE = 10_000n;

export interface GenesisValidator {
  /** The validator's account: it registers, self-delegates and later unjails. */
  operator: Address;
  /** 48-byte compressed BLS12-381 public key. */
  blsKey: Uint8Array;
  /** Its proof of possession for this chain id and `operator` (`blsProofOfPossession`). */
  proofOfPossession: Uint8Array;
  /** Coin self-delegated at genesis (funded by the genesis). */
  stake: bigint;
  commissionBps: number;
}

/** A validator network's genesis validators and parameters (a genesis file's `network`). */
export interface NetworkGenesis {
  validators: GenesisValidator[];
  /** N: the set is the top N by stake (1..128). */
  activeSize: number;
  /** Blocks per epoch. */
  epochLength: bigint;
  /** Seconds a validator jailed for downtime waits before `unjail`. */
  jailSeconds: bigint;
  /** Blocks during which double-signing evidence still slashes (1..`MAX_EVIDENCE_AGE`). */
  evidenceAge: bigint;
  /** Seconds undelegated stake waits before it can be withdrawn. */
  unbondingSeconds: bigint;
  /** Coin minted to the validators at the end of every block. */
  blockReward: bigint;
}

/** The staking contract's constructor arguments on a network: 5% for double signing, 1% for downtime. */
export function networkStakingArgs(unbondingSeconds: bigint): unknown[] {
  return [unbondingSeconds, E18 / 20n, E18 / 100n];
}

/** Where a network genesis with this unbonding time deploys the staking contract (the shipped `staking.wasm`). */
export function networkStakingAddress(unbondingSeconds: bigint): Address {
  const a = loadArtifact("staking");
  const ctor = a.metadata.constructor;
  const args =
    ctor === null
      ? new Uint8Array(0)
      : encodeCall({ ...a.metadata, methods: [ctor] }, "init", networkStakingArgs(unbondingSeconds));
  const salt = new Uint8Array(32);
  new DataView(salt.buffer).setUint32(0, STAKING_DEPLOY_SALT);
  return contractAddress(GENESIS_DEPLOYER, salt, keccak256(a.code), args);
}
