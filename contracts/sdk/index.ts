/** The Weft contract SDK (AssemblyScript). Contracts import everything from here. */
export { AbiReader, AbiWriter, encode } from "./abi";
export { Address, Bytes32 } from "./address";
export {
  CALL_OUT_OF_GAS,
  CALL_REVERT,
  CALL_SUCCESS,
  CallResult,
  CreateResult,
  callContract,
  callOrRevert,
  createContract,
} from "./call";
export {
  balanceOf,
  blockHeight,
  blockTime,
  caller,
  callValue,
  chainId,
  gasLeft,
  input,
  returnData,
  selfAddress,
  transferCoin,
} from "./context";
export { blsVerify, ed25519Verify, keccak256, p256Verify, secp256k1Recover, sha256 } from "./crypto";
export { require, revertRaw, revertWith } from "./errors";
export { beginEvent, emitEvent, endEvent, eventTopic, topic } from "./events";
export { Erc20, EvmCalldata, EvmWords, evmCall, evmSelector } from "./evm";
export {
  approveRecovery,
  cancelRecovery,
  guardians,
  keyRotated,
  readyRecovery,
  setGuardians,
} from "./recovery";
export { prepareScratch } from "./scratch";
export {
  grantSession,
  requireSelf,
  revokeSession,
  SESSION_AUTH_BYTES,
  sessionExpiry,
  sessionSpent,
  validateSession,
} from "./sessionKeys";
export {
  assetsOfShares,
  sharesForDeposit,
  sharesForWithdrawal,
  VIRTUAL_ASSETS,
  VIRTUAL_SHARES,
} from "./shares";
export {
  Fields,
  StorageMap,
  StorageMap2,
  StorageValue,
  storageDelete,
  storageGet,
  storageHas,
  storageSet,
} from "./storage";
export { tokenBalanceOf, tokenTransfer, tokenTransferFrom } from "./token";
export { U128, U256 } from "./u128";
export { base64url, verifyWebAuthn } from "./webauthn";

/** What a validation step returns to accept a transaction with no expiry ("valid until" the end of time). */
export const VALID_FOREVER: u64 = u64.MAX_VALUE;

/** A Uint8Array copy of a static byte array (generated code keeps constants in these). */
export function bytesOf(s: StaticArray<u8>): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) unchecked((out[i] = s[i]));
  return out;
}

/** Marks an indexed event argument in a contract's `events.ts` (read by the build only). */
export type Indexed<T> = T;
