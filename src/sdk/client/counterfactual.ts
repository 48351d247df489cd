/**
 * Accounts at counterfactual addresses (contracts/src/accountFactory): the address of an
 * account is known before it exists, from the factory, a salt, the kind's code hash and
 * the constructor arguments (src/codec/address.ts `contractAddress`), so coin and tokens
 * can be sent to it first and the account created (by anyone) when it is first needed.
 */
import { accountFactoryMetadata } from "../../bindings/accountFactory.gen.js";
import { ed25519AccountMetadata } from "../../bindings/ed25519Account.gen.js";
import { multisigAccountMetadata } from "../../bindings/multisigAccount.gen.js";
import { passkeyAccountMetadata } from "../../bindings/passkeyAccount.gen.js";
import { secp256k1AccountMetadata } from "../../bindings/secp256k1Account.gen.js";
import { loadArtifact } from "../../chain/artifacts.js";
import { type Address, contractAddress } from "../../codec/address.js";
import { fromHex } from "../../codec/bytes.js";
import { keccak256 } from "../../codec/hash.js";
import { type ContractMetadata, encodeCall } from "../../codec/metadata.js";
import { multisigInitArgs, type PublicKeyRef } from "./accounts.js";
import type { CallRequest, Hex } from "./types.js";

/** What account to create: its kind and what its constructor takes. */
export type AccountSpec =
  | { kind: "ed25519"; publicKey: Uint8Array }
  | { kind: "secp256k1"; owner: Address }
  | { kind: "passkey"; publicKey: Uint8Array }
  | { kind: "multisig"; threshold: number; signers: PublicKeyRef[] };

export type AccountContractKind = AccountSpec["kind"];

const CONTRACTS: Record<AccountContractKind, { artifact: string; metadata: ContractMetadata; view: string }> =
  {
    ed25519: { artifact: "ed25519Account", metadata: ed25519AccountMetadata, view: "publicKey" },
    secp256k1: { artifact: "secp256k1Account", metadata: secp256k1AccountMetadata, view: "owner" },
    passkey: { artifact: "passkeyAccount", metadata: passkeyAccountMetadata, view: "publicKey" },
    multisig: { artifact: "multisigAccount", metadata: multisigAccountMetadata, view: "threshold" },
  };

const codeHashes = new Map<AccountContractKind, Uint8Array>();

/** The code hash of an account kind, from the compiled contract (contracts/build; Node only). */
export function accountCodeHash(kind: AccountContractKind): Uint8Array {
  let hash = codeHashes.get(kind);
  if (hash === undefined) {
    hash = keccak256(loadArtifact(CONTRACTS[kind].artifact).code);
    codeHashes.set(kind, hash);
  }
  return hash;
}

/** The account contract's constructor arguments, ABI-encoded. */
export function accountInitArgs(spec: AccountSpec): Uint8Array {
  const args =
    spec.kind === "ed25519" || spec.kind === "passkey"
      ? [spec.publicKey]
      : spec.kind === "secp256k1"
        ? [spec.owner]
        : multisigInitArgs(spec.threshold, spec.signers);
  return encodeCall(CONTRACTS[spec.kind].metadata, "init", args);
}

export interface CounterfactualParams {
  /** The account factory (`contracts.accountFactory` in `weft_genesis`). */
  factory: Address;
  account: AccountSpec;
  /** 32 bytes (default: zeros); another salt gives another address for the same key. */
  salt?: Uint8Array | Hex;
  /** The kind's code hash, when contracts/build is not at hand (e.g. from `getAccount(x).codeHash`). */
  codeHash?: Uint8Array | Hex;
}

function saltOf(p: CounterfactualParams): Uint8Array {
  const salt =
    p.salt === undefined ? new Uint8Array(32) : typeof p.salt === "string" ? fromHex(p.salt) : p.salt;
  if (salt.length !== 32) throw new RangeError(`salt: 32 bytes expected, got ${salt.length}`);
  return salt;
}

function codeHashOf(p: CounterfactualParams): Uint8Array {
  if (p.codeHash === undefined) return accountCodeHash(p.account.kind);
  return typeof p.codeHash === "string" ? fromHex(p.codeHash) : p.codeHash;
}

/** The address the factory will create this account at. */
export function counterfactualAddress(p: CounterfactualParams): Address {
  return contractAddress(p.factory, saltOf(p), codeHashOf(p), accountInitArgs(p.account));
}

/** The call creating the account (`accountFactory.createAccount`); any account may send it. */
export function createAccountCall(p: CounterfactualParams): CallRequest {
  return {
    target: p.factory,
    method: "createAccount",
    args: encodeCall(accountFactoryMetadata, "createAccount", [
      codeHashOf(p),
      accountInitArgs(p.account),
      saltOf(p),
    ]),
  };
}

/**
 * A call that moves `amount` coin to an existing account contract (every call carries
 * value; this one calls the kind's harmless view method).
 */
export function fundAccountCall(kind: AccountContractKind, address: Address, amount: bigint): CallRequest {
  return { target: address, method: CONTRACTS[kind].view, value: amount };
}
