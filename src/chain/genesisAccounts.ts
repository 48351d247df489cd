/**
 * Smart accounts a validator network's genesis creates at block 0 (a genesis file's
 * `accounts`, `weft genesis new --account`): for each key, the very account `weft account
 * create` would make for it later, through the genesis account factory with the zero salt, at
 * the same counterfactual address (`sdk/client/counterfactual.ts` derives the same). An
 * operator whose key is named this way can sign from block 0 on, with no one else's account
 * to pay for its creation (an account that does not exist cannot send: `SENDER_NOT_ACCOUNT`).
 *
 * The factory's address is known without building the genesis: the genesis deploys it ninth
 * from `GENESIS_DEPLOYER` with the code hashes of the account kinds (`node/genesis/genesis.ts`
 * checks that the factory it deployed is at this address, so the two cannot drift).
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { p256 } from "@noble/curves/nist.js";
import { type Address, contractAddress } from "../codec/address.js";
import { toHex } from "../codec/bytes.js";
import { keccak256 } from "../codec/hash.js";
import { encodeCall } from "../codec/metadata.js";
import { loadArtifact } from "./artifacts.js";
import { GENESIS_DEPLOYER } from "./staking/genesisStaking.js";

/** The account kinds the genesis factory creates, in the order its constructor lists their code hashes. */
export const ACCOUNT_KIND_CONTRACTS = [
  "ed25519Account",
  "secp256k1Account",
  "passkeyAccount",
  "multisigAccount",
] as const;

/** The genesis deploys the account factory ninth (its salt counts deployments). */
export const ACCOUNT_FACTORY_DEPLOY_SALT = 9;

/** At most this many genesis accounts (each is one account creation in block 0). */
export const MAX_GENESIS_ACCOUNTS = 1_000;

/** The key a genesis account is made for: what `weft keys new` prints for each kind. */
export type GenesisAccountKey =
  | { kind: "ed25519"; publicKey: Uint8Array }
  | { kind: "passkey"; publicKey: Uint8Array }
  | { kind: "secp256k1"; signer: Address };

export interface GenesisAccount {
  key: GenesisAccountKey;
  /** Coin (wei) block 0 gives the account (0: none; someone sends it coin later). */
  amount: bigint;
  /** Its address: `genesisAccountAddress(key)`, recorded so people can read it. */
  address: Address;
}

const CONTRACT: Record<GenesisAccountKey["kind"], string> = {
  ed25519: "ed25519Account",
  secp256k1: "secp256k1Account",
  passkey: "passkeyAccount",
};

const codeHashes = new Map<string, Uint8Array>();
function codeHashOf(name: string): Uint8Array {
  let hash = codeHashes.get(name);
  if (hash === undefined) {
    hash = keccak256(loadArtifact(name).code);
    codeHashes.set(name, hash);
  }
  return hash;
}

function constructorArgs(name: string, args: unknown[]): Uint8Array {
  const a = loadArtifact(name);
  const ctor = a.metadata.constructor;
  return ctor === null ? new Uint8Array(0) : encodeCall({ ...a.metadata, methods: [ctor] }, "init", args);
}

let factory: Address | undefined;
/** Where every genesis deploys the account factory (the shipped account contracts). */
export function genesisAccountFactoryAddress(): Address {
  if (factory === undefined) {
    const salt = new Uint8Array(32);
    new DataView(salt.buffer).setUint32(0, ACCOUNT_FACTORY_DEPLOY_SALT);
    const args = constructorArgs("accountFactory", [ACCOUNT_KIND_CONTRACTS.map(codeHashOf)]);
    factory = contractAddress(GENESIS_DEPLOYER, salt, codeHashOf("accountFactory"), args);
  }
  return factory;
}

/** The arguments of `accountFactory.createAccount` that make this key's account (the zero salt). */
export function accountCreation(key: GenesisAccountKey): {
  codeHash: Uint8Array;
  initArgs: Uint8Array;
  salt: Uint8Array;
} {
  const name = CONTRACT[key.kind];
  const initArgs = constructorArgs(name, [key.kind === "secp256k1" ? key.signer : key.publicKey]);
  return { codeHash: codeHashOf(name), initArgs, salt: new Uint8Array(32) };
}

/** The address of this key's account, as `weft account create` makes it. */
export function genesisAccountAddress(key: GenesisAccountKey): Address {
  const { codeHash, initArgs, salt } = accountCreation(key);
  return contractAddress(genesisAccountFactoryAddress(), salt, codeHash, initArgs);
}

/**
 * Why these bytes cannot be the kind's public key, or undefined: an ed25519 key is a 32-byte
 * point, a passkey's a 65-byte uncompressed P-256 point (0x04 ‖ x ‖ y) on the curve. An account
 * made for anything else could never sign.
 */
export function badPublicKey(kind: "ed25519" | "passkey", key: Uint8Array): string | undefined {
  const length = kind === "ed25519" ? 32 : 65;
  if (key.length !== length)
    return `a ${kind} public key is ${length} bytes${kind === "passkey" ? " (0x04, x, y)" : ""}, got ${key.length}`;
  try {
    if (kind === "ed25519") ed25519.Point.fromHex(toHex(key));
    else if (key[0] !== 4) return "a passkey public key is uncompressed: it starts with 0x04";
    else p256.Point.fromHex(toHex(key));
  } catch {
    return `0x${toHex(key)} is not a point of the ${kind === "ed25519" ? "ed25519" : "P-256"} curve`;
  }
  return undefined;
}
