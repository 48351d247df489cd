/**
 * `eth_createAccessList`: the EIP-2930 access list a transaction would use, and the gas it
 * would use with that list, as geth answers it. The message runs with the EVM reporting what
 * it warms (`EvmMessage.reportAccessList`): every address it touches and every storage slot
 * it reads or writes. The sender and the precompiles are left out (always warm), and so are
 * the recipient and coinbase unless slots of theirs were touched. The list found is then
 * given to the message and it runs again, until a run touches nothing the list lacks (code
 * may branch on the gas an access costs), at most `MAX_ACCESS_LIST_RUNS` runs; `gasUsed` is
 * the last run's (intrinsic gas with the list, plus execution, less the refund EIP-3529
 * allows). A failing message still answers, with `error` ("execution reverted", or the
 * EVM's reason), as geth's does.
 */
import type { Address } from "../../codec/address.js";
import type { AccessListEntry, EthTxFields } from "../../evm/ethTx.js";
import { ethIntrinsicGas } from "../../evm/intrinsicGas.js";
import type { EvmCallJob } from "./evmCall.js";

/** What a call's run gives back (the part of ethereumjs's `execResult` read here). */
export interface EvmExec {
  returnValue: Uint8Array;
  exceptionError?: { error: string } | undefined;
  executionGasUsed: bigint;
  gasRefund?: bigint;
}

/** Told what a run warmed: addresses (40 hex digits) and their slots (hex, no 0x). */
export type AccessReport = (touched: ReadonlyMap<string, ReadonlySet<string>>) => void;

/** Runs: the first, reporting, then with the list until nothing new is touched. */
export const MAX_ACCESS_LIST_RUNS = 4;

/** `eth_createAccessList`'s answer. */
export interface AccessListResult {
  accessList: Array<{ address: string; storageKeys: string[] }>;
  gasUsed: string;
  error?: string;
}

const strip = (address: string) => address.slice(2).toLowerCase();

/** Precompiles are at 0x01 to 0x11 (Prague) and Weft's host precompile at 0x0100. */
function isPrecompile(address: string): boolean {
  const n = BigInt(`0x${address}`);
  return (n >= 1n && n <= 0x11n) || n === 0x100n;
}

/** Finds the list for `job` (see the top of the file); `run` runs the message with a list at `limit`. */
export function createAccessList(
  job: EvmCallJob,
  fields: EthTxFields,
  limit: bigint,
  run: (limit: bigint, list: AccessListEntry[], report: AccessReport) => EvmExec,
): AccessListResult {
  const from = strip(job.from);
  const slotless = new Set([strip(job.to ?? "0x"), from]);
  // The list given in the call object is where the search starts (geth's).
  const found = new Map<string, Set<string>>();
  for (const entry of fields.accessList)
    found.set(strip(entry.address), new Set(entry.slots.map((s) => Buffer.from(s).toString("hex"))));
  let list = fields.accessList;
  let exec: EvmExec | undefined;
  for (let runs = 0; runs < MAX_ACCESS_LIST_RUNS; runs++) {
    let added = false;
    exec = run(limit, list, (touched) => {
      for (const [address, slots] of touched) {
        if (address === from || isPrecompile(address)) continue;
        if (slots.size === 0 && slotless.has(address)) continue;
        let known = found.get(address);
        if (known === undefined) {
          known = new Set();
          found.set(address, known);
          added = true;
        }
        for (const slot of slots) {
          const word = slot.padStart(64, "0");
          if (!known.has(word)) {
            known.add(word);
            added = true;
          }
        }
      }
    });
    if (!added) break;
    list = [...found].map(([address, slots]) => ({
      address: `0x${address}` as Address,
      slots: [...slots].map((s) => Uint8Array.from(Buffer.from(s, "hex"))),
    }));
  }
  const last = exec as EvmExec;
  const { intrinsic, floor } = ethIntrinsicGas({ ...fields, accessList: list });
  let used = BigInt(intrinsic) + last.executionGasUsed;
  const refund = last.gasRefund ?? 0n;
  used -= refund < used / 5n ? refund : used / 5n;
  if (used < BigInt(floor)) used = BigInt(floor);
  const out: AccessListResult = {
    accessList: list.map((e) => ({
      address: e.address,
      storageKeys: e.slots.map((s) => `0x${Buffer.from(s).toString("hex")}`),
    })),
    gasUsed: `0x${used.toString(16)}`,
  };
  const error = last.exceptionError?.error;
  if (error !== undefined) out.error = error === "revert" ? "execution reverted" : error;
  return out;
}
