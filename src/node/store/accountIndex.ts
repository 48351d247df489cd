/**
 * The account transaction index, the chain database's `txsByAccount`: per block, one
 * record per account its transactions touch, `address ‖ block u64 BE` → the positions
 * (tx u32 BE) of those transactions in block order (`indexGroups.ts`; databases written
 * before hold one key `address ‖ block ‖ tx` per transaction, read as well). An account is
 * touched as the sender, as the target of one of the calls, or as the contract a
 * deployment created. Written in the block's LMDB transaction, so the index never holds a
 * transaction the chain does not, nor misses one it holds.
 */
import type { Database } from "lmdb";
import { DEPLOY_TARGET } from "../../chain/executeEnvelope.js";
import { decodeTx, TX_MAGIC, type TxEnvelope } from "../../chain/tx/envelope.js";
import { addressToBytes } from "../../codec/address.js";
import { decodeEthTx, parseEthTx } from "../../evm/ethTx.js";
import { expandIndexRecord, IndexGroups } from "./indexGroups.js";

type Bin = Database<Uint8Array, Uint8Array>;

/**
 * The accounts a transaction touches: sender, call targets, created contract; each once.
 * An Ethereum transaction's sender is `from` (its receipt's) when given, else recovered.
 */
export function partiesOf(raw: Uint8Array, contractAddress?: string, from?: string): string[] {
  if (raw[0] === TX_MAGIC) return envelopeParties(decodeTx(raw), contractAddress);
  const { fields } = parseEthTx(raw);
  const out = new Set<string>([from ?? decodeEthTx(raw, fields.chainId).from]);
  if (fields.to !== undefined) out.add(fields.to);
  if (contractAddress !== undefined) out.add(contractAddress);
  return [...out];
}

/** `partiesOf` for a transaction already decoded. */
export function envelopeParties(env: TxEnvelope, contractAddress?: string): string[] {
  const out = new Set<string>([env.sender]);
  for (const call of env.calls) if (call.target !== DEPLOY_TARGET) out.add(call.target);
  if (contractAddress !== undefined) out.add(contractAddress);
  return [...out];
}

const addressBytes = (id: string): Uint8Array => addressToBytes(id as `0x${string}`);

/**
 * The index records of one block's transactions, given each one's parties
 * (`envelopeParties`), in block order: what the block's LMDB transaction puts.
 */
export function accountIndexRecords(
  block: number,
  parties: ReadonlyArray<readonly string[]>,
): Array<[Uint8Array, Uint8Array]> {
  const groups = new IndexGroups(1);
  parties.forEach((who, i) => {
    for (const address of who) {
      const id = address.toLowerCase();
      groups.add(id, addressBytes, i);
    }
  });
  return groups.records(block);
}

function indexKey(address: string, block: number, tx: number): Uint8Array {
  const out = new Uint8Array(32);
  out.set(addressToBytes(address as `0x${string}`));
  const view = new DataView(out.buffer);
  view.setBigUint64(20, BigInt(block));
  view.setUint32(28, tx);
  return out;
}

/**
 * Removes one stored block's index records (`contracts[i]`: the address transaction i
 * deployed): the block's record of each account, and the one-entry keys of the layout before.
 */
export function removeBlockTxs(
  db: Bin,
  block: number,
  rawTxs: readonly Uint8Array[],
  contracts: ReadonlyArray<string | undefined>,
  senders: ReadonlyArray<string | undefined> = [],
): void {
  rawTxs.forEach((raw, i) => {
    for (const who of partiesOf(raw, contracts[i], senders[i])) {
      const key = indexKey(who, block, i);
      db.removeSync(key.subarray(0, 28));
      db.removeSync(key);
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
  for (const { key, value } of db.getRange({ start, end, reverse: true })) {
    const entries = expandIndexRecord(key, value, 20, 1);
    if (entries === undefined) continue; // not an index record (`weft db check` reports it)
    for (let i = entries.length - 1; i >= 0; i--) {
      const [block, tx] = entries[i] as [number, number];
      if (before !== undefined && (block > before.block || (block === before.block && tx >= before.tx)))
        continue;
      out.push({ block, tx });
      if (out.length >= limit) return out;
    }
  }
  // `end` (block 0, tx 0) is outside the range: block 0, the genesis, has no transactions.
  return out;
}
