/**
 * Creates smart accounts of the built-in kinds at counterfactual addresses: the address
 * of an account is known before it exists (the VM derives it from this factory, the
 * salt, the kind's code hash and the constructor arguments), so coin can be sent to it
 * first and the account created when it is first used. Anyone may create any account.
 */
import { Address, Bytes32, createContract, StorageMap } from "../../sdk/index";
import { CreationFailed, NotAnAccountKind } from "./errors.gen";
import { AccountCreated } from "./events.gen";

const kinds = new StorageMap<Bytes32, bool>("kind");

/** `accountCodeHashes`: the code hashes of the account kinds (ed25519, secp256k1, passkey, multisig...). */
export function init(accountCodeHashes: Array<Bytes32>): void {
  for (let i = 0; i < accountCodeHashes.length; i++) kinds.set(accountCodeHashes[i], true);
}

export function isAccountKind(codeHash: Bytes32): bool {
  return kinds.get(codeHash, false);
}

/** Creates the account of kind `codeHash` with constructor `args` at the address `salt` gives. */
export function createAccount(codeHash: Bytes32, args: Uint8Array, salt: Bytes32): Address {
  if (!kinds.get(codeHash, false)) NotAnAccountKind(codeHash);
  const created = createContract(codeHash, args, salt);
  if (!created.ok) CreationFailed();
  AccountCreated(created.address, codeHash, salt);
  return created.address;
}
