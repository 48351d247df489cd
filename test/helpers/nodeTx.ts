/** Test helpers for a running chain node: signed raw transactions from dev accounts. */
import { encodeTx, signingHash, type TxEnvelope } from "../../src/chain/tx/envelope.js";
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
}

/** A raw envelope from dev account `devIndex` calling `token.transfer(to, amount)`. */
export function tokenTransferRaw(
  options: RawTxOptions,
  token: Address,
  to: Address,
  amount: bigint,
): Uint8Array {
  const env: TxEnvelope = {
    chainId: options.chainId,
    sender: options.sender,
    nonceKey: options.nonceKey ?? 0n,
    nonceSequence: options.sequence,
    gasLimit: options.gasLimit ?? 2_000_000n,
    maxFee: 10n,
    priorityFee: options.priorityFee ?? 1n,
    calls: [
      { target: token, method: "transfer", args: encodeAbi(["address", "u128"], [to, amount]), value: 0n },
    ],
    auth: new Uint8Array(0),
  };
  env.auth = devSigner(options.devIndex).sign(signingHash(env));
  return encodeTx(env);
}
