/**
 * A synthetic transaction executor for engine tests: a transaction is a list of
 * operations on keys (read, write, delete, add a delta) whose written values depend on
 * everything read before, so any wrong read shows up in the receipt and the write set.
 * The engine's workers load this module (`createExecutorFactory`).
 */
import { isMainThread } from "node:worker_threads";
import type { BlockCodec, ExecutorFactory } from "../../src/engine/parallel/protocol.js";
import type { StateView, TxExecutor, TxOutput } from "../../src/engine/types.js";
import type { StateKey, StateValue } from "../../src/state/keys.js";

export type SyntheticOp =
  | { op: "read"; key: StateKey }
  | { op: "write"; key: StateKey }
  | { op: "delete"; key: StateKey }
  | { op: "delta"; key: StateKey; amount: bigint }
  /** Abandon every write (a revert): the receipt still records what was read. */
  | { op: "revert" }
  /**
   * Reads `when`; writes `key` (as `write`) only if the digest so far is odd, else deletes
   * `gone` if given, else nothing: incarnations that read differently write different keys.
   */
  | { op: "writeIf"; key: StateKey; when: StateKey; gone?: StateKey }
  /** Reads `when`; a revert if the digest so far is odd (an incarnation that wrote keys may write none). */
  | { op: "revertIf"; when: StateKey }
  /** Ends the worker thread running it (never the main thread): tests the engine's recovery. */
  | { op: "crashWorker" }
  /** Burn CPU (to make executions overlap). */
  | { op: "spin"; iterations: number };

export interface SyntheticTx {
  ops: SyntheticOp[];
  /** For the codec variant: `refuse` makes the codec refuse the tx's chunk (TypeError), `poison` fail it. */
  codec?: "refuse" | "poison";
  /** Ignored by the executor: makes the encoded block larger. */
  padding?: string;
}

export interface SyntheticReceipt {
  digest: number;
  reverted: boolean;
  reads: number;
}

function mix(h: number, bytes: StateValue | undefined): number {
  let x = h ^ (bytes === undefined ? 0x9e3779b9 : bytes.length);
  if (bytes !== undefined) for (const b of bytes) x = Math.imul(x ^ b, 0x01000193) >>> 0;
  return x >>> 0;
}

export function executeSynthetic(
  view: StateView,
  tx: SyntheticTx,
  index: number,
): TxOutput<SyntheticReceipt> {
  let digest = index + 1;
  let reads = 0;
  let reverted = false;
  const writes = new Map<StateKey, StateValue | null>();
  const deltas = new Map<StateKey, bigint>();
  const current = (key: StateKey): StateValue | undefined => {
    if (writes.has(key)) return writes.get(key) ?? undefined;
    reads++;
    return view.read(key);
  };
  for (const op of tx.ops) {
    switch (op.op) {
      case "read":
        digest = mix(digest, current(op.key));
        break;
      case "write": {
        digest = mix(digest, current(op.key));
        const value = new Uint8Array(16);
        new DataView(value.buffer).setUint32(0, digest, true);
        writes.set(op.key, value);
        deltas.delete(op.key);
        break;
      }
      case "delete":
        writes.set(op.key, null);
        deltas.delete(op.key);
        break;
      case "delta":
        deltas.set(op.key, (deltas.get(op.key) ?? 0n) + op.amount);
        break;
      case "revert":
        reverted = true;
        break;
      case "writeIf": {
        digest = mix(digest, current(op.when));
        if (digest & 1) {
          digest = mix(digest, current(op.key));
          const value = new Uint8Array(16);
          new DataView(value.buffer).setUint32(0, digest, true);
          writes.set(op.key, value);
          deltas.delete(op.key);
        } else if (op.gone !== undefined) {
          writes.set(op.gone, null);
          deltas.delete(op.gone);
        }
        break;
      }
      case "revertIf":
        digest = mix(digest, current(op.when));
        if (digest & 1) reverted = true;
        break;
      case "crashWorker":
        if (!isMainThread) process.exit(7);
        break;
      case "spin": {
        let x = digest;
        for (let i = 0; i < op.iterations; i++) x = Math.imul(x ^ i, 0x5bd1e995) >>> 0;
        digest = mix(digest, new Uint8Array([x & 0xff]));
        break;
      }
    }
  }
  if (reverted) return { receipt: { digest, reverted, reads }, writes: new Map(), deltas: new Map() };
  // A write after a delta in the same transaction: sequential semantics keep the write, then add the later delta.
  return { receipt: { digest, reverted, reads }, writes, deltas };
}

/** A JSON codec (bigints as strings), to test the engine's handling of a codec and its refusals. */
const bigints = (_: string, v: unknown) => (typeof v === "bigint" ? { big: v.toString() } : v);
const revive = (_: string, v: unknown) =>
  typeof v === "object" && v !== null && "big" in v ? BigInt((v as { big: string }).big) : v;
const jsonCodec: BlockCodec<SyntheticTx, SyntheticReceipt> = {
  encodeTxs(txs) {
    if (txs.some((tx) => tx.codec === "poison")) throw new Error("poisoned transaction");
    if (txs.some((tx) => tx.codec === "refuse")) throw new TypeError("refused by the codec");
    return new TextEncoder().encode(JSON.stringify(txs, bigints));
  },
  decodeTxs(bytes) {
    const txs = JSON.parse(new TextDecoder().decode(bytes), revive) as SyntheticTx[];
    return (i) => txs[i] as SyntheticTx;
  },
  encodeReceipts: (list) => new TextEncoder().encode(JSON.stringify(list)),
  decodeReceipts(bytes, into) {
    for (const [i, r] of JSON.parse(new TextDecoder().decode(bytes)) as Array<[number, SyntheticReceipt]>)
      into[i] = r;
  },
};

export function createExecutorFactory(
  options: { codec?: boolean } = {},
): ExecutorFactory<SyntheticTx, SyntheticReceipt, null> {
  const executor: TxExecutor<SyntheticTx, SyntheticReceipt> = { execute: executeSynthetic };
  return options.codec === true
    ? { forBlock: () => executor, codec: jsonCodec }
    : { forBlock: () => executor };
}

export const syntheticExecutorModule = { module: new URL("./syntheticExecutor.js", import.meta.url).href };
/** The synthetic executor with a codec (`jsonCodec`). */
export const syntheticCodecModule = { ...syntheticExecutorModule, options: { codec: true } };
