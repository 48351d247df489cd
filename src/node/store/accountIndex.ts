/**
 * The account transaction index: for every committed transaction, one key per account it
 * touches, `address ‖ block u64 BE ‖ tx u32 BE` (empty value), in the chain database's
 * `txsByAccount`. An account is touched as the sender, as the target of one of the calls,
 * or as the contract a deployment created. Written in the block's LMDB transaction, so the
 * index never holds a transaction the chain does not, nor misses one it holds.
 */
import type { Database } from "lmdb";
import { DEPLOY_TARGET } from "../../chain/executeEnvelope.js";
import { decodeTx, type TxEnvelope } from "../../chain/tx/envelope.js";
import { addressToBytes } from "../../codec/address.js";

type Bin = Database<Uint8Array, Uint8Array>;
const EMPTY = new Uint8Array(0);

/** The accounts a transaction touches: sender, call targets, created contract; each once. */
export function partiesOf(raw: Uint8Array, contractAddress?: string): string[] {
  return envelopeParties(decodeTx(raw), contractAddress);
}

/** `partiesOf` for a transaction already decoded. */
export function envelopeParties(env: TxEnvelope, contractAddress?: string): string[] {
  const out = new Set<string>([env.sender]);
  for (const call of env.calls) if (call.target !== DEPLOY_TARGET) out.add(call.target);
  if (contractAddress !== undefined) out.add(contractAddress);
  return [...out];
}

/**
 * The index keys of one block's transactions, given each one's parties (`envelopeParties`),
 * in block order: what the block's LMDB transaction puts (empty values).
 */
export function accountIndexKeys(block: number, parties: ReadonlyArray<readonly string[]>): Uint8Array[] {
  const keys: Uint8Array[] = [];
  parties.forEach((who, i) => {
    for (const address of who) keys.push(indexKey(address, block, i));
  });
  return keys;
}

function indexKey(address: string, block: number, tx: number): Uint8Array {
  const out = new Uint8Array(32);
  out.set(addressToBytes(address as `0x${string}`));
  const view = new DataView(out.buffer);
  view.setBigUint64(20, BigInt(block));
  view.setUint32(28, tx);
  return out;
}

/** Writes or removes (`remove`) one stored block's index entries (`contracts[i]`: the address transaction i deployed). */
export function indexBlockTxs(
  db: Bin,
  block: number,
  rawTxs: readonly Uint8Array[],
  contracts: ReadonlyArray<string | undefined>,
  remove = false,
): void {
  rawTxs.forEach((raw, i) => {
    for (const who of partiesOf(raw, contracts[i])) {
      const key = indexKey(who, block, i);
      if (remove) db.removeSync(key);
      else db.putSync(key, EMPTY);
    }
  });
}

/**
 * Positions (block, tx) of `address`'s transactions, newest first, strictly before
 * `before` (a position; omitted: from the head), at most `limit`.
 */
export function accountTxPositions(
  db: Bin,
  address: string,
  limit: number,
  before?: { block: number; tx: number },
): Array<{ block: number; tx: number }> {
  const start =
    before === undefined
      ? indexKey(address, 2 ** 53 - 1, 0xffffffff)
      : indexKey(address, before.block, before.tx);
  const end = indexKey(address, 0, 0);
  const out: Array<{ block: number; tx: number }> = [];
  for (const { key } of db.getRange({ start, end, reverse: true })) {
    const view = new DataView(key.buffer, key.byteOffset, key.byteLength);
    const at = { block: Number(view.getBigUint64(20)), tx: view.getUint32(28) };
    if (before !== undefined && at.block === before.block && at.tx === before.tx) continue;
    out.push(at);
    if (out.length >= limit) break;
  }
  // `end` (block 0, tx 0) is outside the range: block 0, the genesis, has no transactions.
  return out;
}
