/**
 * Admission of an Ethereum transaction (`eth_sendRawTransaction`, or raw bytes that are not
 * a Weft envelope on `weft_sendRawTransaction` and gossip): decoded and its sender recovered
 * once (`evm/ethTx.ts`), then Ethereum's rules against the committed state and the next
 * block, as execution will apply them (`chain/executeEthTx.ts`): chain id (EIP-155), intrinsic
 * gas and the EIP-7623 floor, the 2^24 gas cap, init code size, priority fee ≤ max fee ≥ the
 * next block's base fee, nonce not below the account's (a later one waits in the pool, within
 * the pool's nonce gap), no code at the sender (EIP-3607), balance ≥ gas limit × max fee +
 * value. The pool then applies its own limits (size, per-sender count, replacement bump,
 * capacity), with the Ethereum nonce as nonce key 0's sequence.
 *
 * Refusals are `AdmissionError`s whose messages are those of geth's pool ("nonce too low: …",
 * "insufficient funds for gas * price + value: …"), which Ethereum clients recognise.
 */
import type { BlockContext } from "../chain/blockContext.js";
import { ethStatelessCheck } from "../chain/executeEthTx.js";
import type { InvalidCode } from "../chain/invalidCode.js";
import { keccak256 } from "../codec/hash.js";
import { decodeU128 } from "../engine/deltas.js";
import { EthTxError } from "../evm/errors.js";
import { decodeEthTx, type EthTx, MAX_ETH_TX_BYTES } from "../evm/ethTx.js";
import { balanceKey, codeHashKey, evmCodeHashKey } from "../state/keys.js";
import type { StateReader } from "../state/storage.js";
import { AdmissionError, type AdmissionErrorCode } from "./admissionError.js";
import { type PendingEthTx, pendingPriority } from "./pendingTx.js";
import { readSequence } from "./producer.js";
import { type Hex, hex } from "./store/records.js";

/** An Ethereum transaction that passed admission's checks, ready to offer to the pool. */
export interface JudgedEthTx {
  pending: PendingEthTx;
  /** Pool priority per Weft gas (`pendingPriority`). */
  price: bigint;
  /** The account's next nonce on chain. */
  nextSequence: bigint;
}

/** The first words of geth's message for each stateless check (what Ethereum clients match on). */
const STATELESS_MESSAGES: Partial<Record<InvalidCode, string>> = {
  CHAIN_ID: "invalid chain id for signer",
  INITCODE_TOO_LARGE: "max initcode size exceeded",
  GAS_LIMIT_LOW: "intrinsic gas too low",
  GAS_LIMIT_HIGH: "transaction gas limit too high",
  MAX_FEE_BELOW_BASE_FEE: "max fee per gas less than block base fee",
};

/** Decodes `raw` and checks it as described above; throws `AdmissionError`. */
export function judgeEthTx(state: StateReader, block: BlockContext, raw: Uint8Array): JudgedEthTx {
  if (raw.length > MAX_ETH_TX_BYTES)
    throw new AdmissionError(
      "TOO_LARGE",
      `oversized data: transaction of ${raw.length} bytes, limit ${MAX_ETH_TX_BYTES}`,
    );
  let tx: EthTx;
  try {
    tx = decodeEthTx(raw, block.chainId);
  } catch (error) {
    if (!(error instanceof EthTxError)) throw error;
    if (error.code === "CHAIN_ID")
      throw new AdmissionError("INVALID", `invalid chain id for signer: ${error.message}`);
    if (error.code === "TOO_LARGE") throw new AdmissionError("TOO_LARGE", `oversized data: ${error.message}`);
    // Bytes that are neither form (0xdeadbeef) reach here by their first byte: say how they were read.
    const how =
      error.code === "MALFORMED_RLP"
        ? ` (read as an Ethereum transaction by its first byte, 0x${(raw[0] ?? 0).toString(16).padStart(2, "0")}: 0x01, 0x02 or 0xc0 and above; a Weft transaction starts with 0x57)`
        : "";
    throw new AdmissionError(
      "DECODE",
      `${error.code === "BAD_SIGNATURE" ? "invalid sender" : "rlp"}: ${error.message}${how}`,
    );
  }
  const hash: Hex = hex(keccak256(raw));
  const problem = ethStatelessCheck(tx, block);
  if (problem !== undefined) {
    const words = STATELESS_MESSAGES[problem.code];
    const message =
      problem.code === "MALFORMED" && problem.reason.includes("priority fee")
        ? `max priority fee per gas higher than max fee per gas: ${problem.reason}`
        : `${words ?? "invalid transaction"}: ${problem.reason}`;
    throw new AdmissionError(problem.code === "MAX_FEE_BELOW_BASE_FEE" ? "FEE_TOO_LOW" : "INVALID", message);
  }
  const f = tx.fields;
  const from = tx.from;
  const next = readSequence(state, from, 0n);
  if (f.nonce < next)
    throw new AdmissionError(
      "NONCE_TOO_LOW",
      `nonce too low: address ${from}, tx: ${f.nonce} state: ${next}`,
    );
  const code = state.get(evmCodeHashKey(from)) ?? state.get(codeHashKey(from));
  if (code !== undefined)
    throw new AdmissionError("INVALID", `sender not an eoa: address ${from}, codehash: ${hex(code)}`);
  const balance = decodeU128(state.get(balanceKey(from)));
  const want = f.gasLimit * f.maxFeePerGas + f.value;
  if (balance < want)
    throw new AdmissionError(
      "INVALID",
      `insufficient funds for gas * price + value: address ${from} have ${balance} want ${want}`,
    );
  const pending: PendingEthTx = { eth: tx, raw, hash };
  return { pending, price: pendingPriority(pending), nextSequence: next };
}

export type { AdmissionErrorCode };
