/**
 * What a validator network's end-of-block step did in a block (`chain/staking/endBlock.ts`):
 * each system call (`slashEquivocation`, `endBlock`), its status, gas and the staking
 * contract's events (slashed, tombstoned, jailed, rewarded, the next validator set...).
 * System calls are in no transaction, so their events are in no receipt: they are kept in
 * the meta record `endblock:<n>`, written in the block's own LMDB transaction
 * (`buildBlock.ts`), and served by `weft_getEndBlock` to RPC clients and the explorer.
 */
import type { SystemCall } from "../../chain/staking/endBlock.js";
import type { ChainDb } from "./chainDb.js";
import { type Hex, hex } from "./records.js";

export interface SystemCallJson {
  method: SystemCall["method"];
  status: SystemCall["status"];
  gasUsed: number;
  /** Revert data when the call failed, else "0x". */
  output: Hex;
  /** The events it emitted, in order (as receipts' logs, without transaction fields). */
  logs: Array<{ address: string; topics: string[]; data: Hex; logIndex: number }>;
}

export function endBlockKey(number: number): string {
  return `endblock:${number}`;
}

export function systemCallsJson(calls: readonly SystemCall[]): SystemCallJson[] {
  let logIndex = 0;
  return calls.map((c) => ({
    method: c.method,
    status: c.status,
    gasUsed: c.gasUsed,
    output: hex(c.output),
    logs: c.events.map((e) => ({
      address: e.address,
      topics: e.topics,
      data: hex(e.data),
      logIndex: logIndex++,
    })),
  }));
}

/** The end-of-block calls stored with block `number`; undefined for a block without (not a network chain). */
export function readEndBlock(db: Pick<ChainDb, "meta">, number: number): SystemCallJson[] | undefined {
  return db.meta<SystemCallJson[]>(endBlockKey(number));
}
