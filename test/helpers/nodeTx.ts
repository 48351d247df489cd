/** Test helpers for a running chain node: signed raw transactions from dev accounts. */
import { DEPLOY_ARGS, DEPLOY_METHOD, DEPLOY_TARGET } from "../../src/chain/executeEnvelope.js";
import { type Call, encodeTx, signingHash, type TxEnvelope } from "../../src/chain/tx/envelope.js";
import { encodeAbi } from "../../src/codec/abi.js";
import type { Address } from "../../src/codec/address.js";
import { devSigner } from "../../src/node/genesis/genesis.js";

export interface RawTxOptions {
  chainId: bigint;
  sender: Address;
  devIndex: number;
  sequence: bigint;
  nonceKey?: bigint;
  gasLimit?: bigint;
  priorityFee?: bigint;
  maxFee?: bigint;
}

/** A raw envelope from dev account `devIndex` running `calls`. */
export function callsRaw(options: RawTxOptions, calls: Call[]): Uint8Array {
  const env: TxEnvelope = {
    chainId: options.chainId,
    sender: options.sender,
    nonceKey: options.nonceKey ?? 0n,
    nonceSequence: options.sequence,
    gasLimit: options.gasLimit ?? 2_000_000n,
    maxFee: options.maxFee ?? 10n,
    priorityFee: options.priorityFee ?? 1n,
    calls,
    auth: new Uint8Array(0),
  };
  env.auth = devSigner(options.devIndex).sign(signingHash(env));
  return encodeTx(env);
}

/** A raw envelope from dev account `devIndex` deploying `code` (no constructor arguments). */
export function deployRaw(options: RawTxOptions, code: Uint8Array, salt = new Uint8Array(32)): Uint8Array {
  const args = encodeAbi(DEPLOY_ARGS, [code, new Uint8Array(0), salt]);
  return callsRaw(options, [{ target: DEPLOY_TARGET, method: DEPLOY_METHOD, args, value: 0n }]);
}

/** A raw envelope from dev account `devIndex` calling `token.transfer(to, amount)`. */
export function tokenTransferRaw(
  options: RawTxOptions,
  token: Address,
  to: Address,
  amount: bigint,
): Uint8Array {
  return callsRaw(options, [
    { target: token, method: "transfer", args: encodeAbi(["address", "u128"], [to, amount]), value: 0n },
  ]);
}
