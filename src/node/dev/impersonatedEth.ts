/**
 * Impersonated Ethereum transactions (dev mode: `anvil_impersonateAccount`, then
 * `eth_sendTransaction` from that address, as Anvil and Hardhat offer): an EIP-1559
 * transaction with no key behind it, run with the impersonated address as its sender and
 * mined at once in a block of its own (`devBlock.ts`); it never enters the pool, so no other
 * node could receive it.
 *
 * Stored bytes: the transaction's usual encoding (0x02 ‖ RLP) with a stand-in signature,
 * y parity 0, r = 2^160 + the sender's address and s = 1, so that two senders' otherwise
 * equal transactions differ in hash (Anvil does the same). No key recovers the sender from
 * it: the block's receipt keeps the sender (`from`), which every view reads. Everything else
 * is checked as for a signed transaction when it runs: chain id, nonce, fees against the base
 * fee, balance for gas limit × max fee + value, and EIP-3607 (an address holding code cannot
 * send an Ethereum transaction, impersonated or not).
 */
import { RLP } from "@ethereumjs/rlp";
import { createChainExecutor } from "../../chain/executeTransaction.js";
import type { Address } from "../../codec/address.js";
import { concatBytes, fromHex } from "../../codec/bytes.js";
import type { EthTx, EthTxFields } from "../../evm/ethTx.js";
import type { ChainNode } from "../chainNode.js";
import type { ProducedBlock } from "../producer.js";
import { commitDevBlock } from "./devBlock.js";

/** The stand-in signature's r for `from` (see the top of the file). */
function standInR(from: Address): bigint {
  return (1n << 160n) + BigInt(from);
}

/** `fields` from `from` as a transaction with its stand-in signature. */
export function impersonatedEthTx(from: Address, fields: EthTxFields): EthTx {
  const body = RLP.encode([
    fields.chainId,
    fields.nonce,
    fields.maxPriorityFeePerGas,
    fields.maxFeePerGas,
    fields.gasLimit,
    fields.to === undefined ? new Uint8Array(0) : fromHex(fields.to.slice(2)),
    fields.value,
    fields.data,
    fields.accessList.map((e) => [fromHex(e.address.slice(2)), e.slots]),
    0n,
    standInR(from),
    1n,
  ]);
  return { kind: "eth", raw: concatBytes(Uint8Array.of(2), body), from, fields: { ...fields, type: 2 } };
}

/** Runs `tx` in a block of its own; must run inside `exclusive`. */
export function mineImpersonatedEth(node: ChainNode, tx: EthTx): ProducedBlock {
  return commitDevBlock(node, {
    txs: [tx],
    executor: (ctx) => createChainExecutor(ctx, { vm: node.vm }),
  });
}
