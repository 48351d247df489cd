/**
 * A Weft transaction's JSON view (RPC, `weft_` methods): numbers as decimal strings, bytes
 * as 0x hex, the hash of its canonical encoding (`envelope.ts`) beside them.
 */
import { toHex } from "../../codec/bytes.js";
import { TX_VERSION, type TxEnvelope, txHash } from "./envelope.js";

/** The JSON view (RPC): numbers as decimal strings, bytes as 0x hex. */
export function txToJson(tx: TxEnvelope): Record<string, unknown> {
  const json: Record<string, unknown> = {
    version: TX_VERSION,
    hash: `0x${toHex(txHash(tx))}`,
    chainId: tx.chainId.toString(),
    sender: tx.sender,
    nonce: { key: tx.nonceKey.toString(), sequence: tx.nonceSequence.toString() },
    gasLimit: tx.gasLimit.toString(),
    maxFee: tx.maxFee.toString(),
    priorityFee: tx.priorityFee.toString(),
    calls: tx.calls.map((c) => ({
      target: c.target,
      method: c.method,
      args: `0x${toHex(c.args)}`,
      value: c.value.toString(),
    })),
    auth: `0x${toHex(tx.auth)}`,
  };
  if (tx.paymaster !== undefined)
    json.paymaster = { address: tx.paymaster.address, data: `0x${toHex(tx.paymaster.data)}` };
  return json;
}
