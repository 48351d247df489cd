/** Ethereum accounts for tests: deterministic secp256k1 keys, signed transactions of each type. */
import { createCustomCommon, Mainnet } from "@ethereumjs/common";
import { createAccessList2930Tx, createFeeMarket1559Tx, createLegacyTx } from "@ethereumjs/tx";
import { privateToAddress } from "@ethereumjs/util";
import { type Address, addressFromBytes } from "../../src/codec/address.js";
import { utf8 } from "../../src/codec/bytes.js";
import { keccak256 } from "../../src/codec/hash.js";
import { commonChainId, decodeEthTx, type EthTx, EVM_HARDFORK } from "../../src/evm/ethTx.js";

export interface EthAccount {
  key: Uint8Array;
  address: Address;
}

/** Test EOA number `n` (its key is keccak256 of a label). */
export function ethAccount(n: number): EthAccount {
  const key = keccak256(utf8(`weft evm test account ${n}`));
  return { key, address: addressFromBytes(privateToAddress(key)) };
}

export interface EthTxRequest {
  type?: 0 | 1 | 2;
  nonce: bigint;
  to?: Address;
  value?: bigint;
  data?: Uint8Array;
  gasLimit?: bigint;
  /** Gas price (types 0, 1) or max fee (type 2). */
  maxFee?: bigint;
  priorityFee?: bigint;
  accessList?: Array<{ address: Address; storageKeys: `0x${string}`[] }>;
  chainId?: bigint;
}

/** The raw signed bytes of `request` from `from` for `chainId`. */
export function signEthTxRaw(from: EthAccount, request: EthTxRequest, chainId: bigint): Uint8Array {
  const common = createCustomCommon({ chainId: commonChainId(request.chainId ?? chainId) }, Mainnet, {
    hardfork: EVM_HARDFORK,
  });
  const base = {
    nonce: request.nonce,
    to: request.to,
    value: request.value ?? 0n,
    data: request.data ?? new Uint8Array(0),
    gasLimit: request.gasLimit ?? 100_000n,
  };
  const price = request.maxFee ?? 1n;
  switch (request.type ?? 2) {
    case 0:
      return createLegacyTx({ ...base, gasPrice: price }, { common, allowUnlimitedInitCodeSize: true })
        .sign(from.key)
        .serialize();
    case 1:
      return createAccessList2930Tx(
        { ...base, gasPrice: price, accessList: request.accessList ?? [] },
        { common, allowUnlimitedInitCodeSize: true },
      )
        .sign(from.key)
        .serialize();
    default:
      return createFeeMarket1559Tx(
        {
          ...base,
          maxFeePerGas: price,
          maxPriorityFeePerGas: request.priorityFee ?? price,
          accessList: request.accessList ?? [],
        },
        { common, allowUnlimitedInitCodeSize: true },
      )
        .sign(from.key)
        .serialize();
  }
}

/** `request` signed by `from` and decoded as the chain takes it. */
export function signEthTx(from: EthAccount, request: EthTxRequest, chainId: bigint): EthTx {
  return decodeEthTx(signEthTxRaw(from, request, chainId), chainId);
}

/** A nonce dealer for tests sending in order: each call gives `a`'s next nonce (0, 1, …). */
export function nonceCounter(): (a: EthAccount) => bigint {
  const nonces = new Map<Address, bigint>();
  return (a) => {
    const n = nonces.get(a.address) ?? 0n;
    nonces.set(a.address, n + 1n);
    return n;
  };
}

/** ABI call data: a 4-byte selector then 32-byte words. */
export function callData(selector: string, ...words: Array<bigint | Address>): Uint8Array {
  const out = new Uint8Array(4 + 32 * words.length);
  out.set(Buffer.from(selector.slice(2), "hex"));
  words.forEach((word, i) => {
    const value = typeof word === "bigint" ? word : BigInt(word);
    out.set(Buffer.from(value.toString(16).padStart(64, "0"), "hex"), 4 + 32 * i);
  });
  return out;
}
