// Read-only contract calls by metadata: build `weft_call` requests and decode their answers.

import { bytesToHex, decodeReturnData, encodeAbi, findMethod } from "./abi.js";
import { resultOr } from "./rpc.js";

/** A batch element calling `method(values)` on `to` (read-only: weft_call commits nothing). */
export function callRequest(to, meta, method, values = [], from) {
  const m = findMethod(meta, method);
  if (!m) throw new Error(`${meta?.name ?? "contract"} has no method ${method}`);
  const args = bytesToHex(
    encodeAbi(
      m.inputs.map((p) => p.type),
      values,
    ),
  );
  const request = { to, method, args };
  if (from) request.from = from;
  return ["weft_call", [request]];
}

/** The first returned value of a successful call, else `fallback`. */
export function callValue(entry, meta, method, fallback) {
  const r = resultOr(entry, null);
  if (r?.status !== "success") return fallback;
  const decoded = decodeReturnData(meta, method, r.output);
  return decoded.values ? decoded.values[0]?.value : fallback;
}
