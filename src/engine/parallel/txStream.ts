/**
 * A block's transactions, streamed to the workers in chunks through shared memory.
 *
 * The main thread encodes the first chunk, starts the workers, and encodes the rest
 * while they already execute: the workers never wait for the whole block to be encoded.
 * Chunk `k` holds transactions `[k * TX_CHUNK, (k + 1) * TX_CHUNK)`, encoded on its own
 * (the executor's codec, or `v8.serialize` for a chunk the codec refuses with a
 * `TypeError`) into a growable shared buffer; the chunk table gives each chunk's offset,
 * length and encoding, and its first word counts the chunks published (written after the
 * chunk's bytes, and notified). A worker that needs a transaction of a chunk not yet
 * published waits on that word.
 */
import { deserialize, serialize } from "node:v8";
import type { BlockCodec } from "./protocol.js";

/** Transactions per chunk. */
export const TX_CHUNK = 128;
/** Words per chunk in the table (offset, length, encoding), after the published count. */
const CHUNK_WORDS = 3;
const ENCODING_CODEC = 0;
const ENCODING_V8 = 1;
/** The most bytes a block's transactions may take (address space reserved, not memory). */
export const MAX_TX_BYTES = 1 << 30;

/** A growable `SharedArrayBuffer` (ES2024; Node 20 has it, the ES2022 typings do not). */
interface GrowableSharedArrayBuffer extends SharedArrayBuffer {
  grow(length: number): void;
}
const GrowableSharedArrayBuffer = SharedArrayBuffer as unknown as new (
  length: number,
  options: { maxByteLength: number },
) => GrowableSharedArrayBuffer;

/** Words of the chunk table for blocks of up to `txs` transactions. */
export function chunkTableWords(txs: number): number {
  return 1 + CHUNK_WORDS * Math.ceil(txs / TX_CHUNK);
}

/** The shared buffer of encoded transactions: starts at 1 MiB, grows up to `MAX_TX_BYTES`. */
export function allocateTxBytes(): SharedArrayBuffer {
  return new GrowableSharedArrayBuffer(1 << 20, { maxByteLength: MAX_TX_BYTES });
}

/** The main thread's side: encodes and publishes one chunk at a time. */
export class TxStreamWriter<T> {
  private readonly table: Int32Array;
  private top = 0;
  private published = 0;

  constructor(
    private readonly bytes: SharedArrayBuffer,
    table: SharedArrayBuffer,
    private readonly codec: BlockCodec<T, unknown> | undefined,
  ) {
    this.table = new Int32Array(table);
  }

  /** Starts a block: nothing published. */
  start(): void {
    this.top = 0;
    this.published = 0;
    Atomics.store(this.table, 0, 0);
  }

  /** Chunks of a block of `n` transactions. */
  static chunks(n: number): number {
    return Math.ceil(n / TX_CHUNK);
  }

  /**
   * Encodes and publishes chunk `published` of `txs`; false if the encoded block would
   * pass `MAX_TX_BYTES` (nothing is published then).
   */
  publishNext(txs: readonly T[]): boolean {
    const k = this.published;
    const from = k * TX_CHUNK;
    const to = Math.min(txs.length, (k + 1) * TX_CHUNK);
    const codec = this.codec;
    let encoded: Uint8Array;
    let encoding = ENCODING_V8;
    try {
      if (codec === undefined) throw new TypeError("no codec");
      encoded =
        codec.encodeTxsView !== undefined
          ? codec.encodeTxsView(txs, from, to)
          : codec.encodeTxs(txs.slice(from, to));
      encoding = ENCODING_CODEC;
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      encoded = serialize(txs.slice(from, to));
    }
    const end = this.top + encoded.length;
    if (end > this.bytes.byteLength) {
      if (end > MAX_TX_BYTES) return false;
      (this.bytes as GrowableSharedArrayBuffer).grow(
        Math.min(MAX_TX_BYTES, Math.max(end, this.bytes.byteLength * 2)),
      );
    }
    new Uint8Array(this.bytes, this.top, encoded.length).set(encoded);
    const at = 1 + k * CHUNK_WORDS;
    this.table[at] = this.top;
    this.table[at + 1] = encoded.length;
    this.table[at + 2] = encoding;
    this.top = end;
    this.published = k + 1;
    Atomics.store(this.table, 0, this.published);
    Atomics.notify(this.table, 0);
    return true;
  }
}

/** A worker's side: transaction `i` of the block, decoded on first use, waiting for its chunk if need be. */
export class TxStreamReader<T> {
  private readonly table: Int32Array;
  private decoders: Array<((i: number) => T) | undefined> = [];
  private once = false;

  constructor(
    private readonly bytes: SharedArrayBuffer,
    table: SharedArrayBuffer,
    private readonly codec: BlockCodec<T, unknown> | undefined,
    /** Whether the run has been abandoned (then a worker stops waiting for chunks). */
    private readonly abandoned: () => boolean,
  ) {
    this.table = new Int32Array(table);
  }

  /**
   * Forgets the previous block's chunks. `once`: each transaction will be asked for once
   * (the lone worker's in-order loop), so the codec need keep none (`BlockCodec.decodeTxs`).
   */
  start(once = false): void {
    this.decoders = [];
    this.once = once;
  }

  /** Transaction `i`; throws `StreamAbandoned` if the run is abandoned while its chunk is awaited. */
  txAt(i: number): T {
    const k = (i / TX_CHUNK) | 0;
    const decode = this.decoders[k] ?? this.open(k);
    return decode(i - k * TX_CHUNK);
  }

  private open(k: number): (i: number) => T {
    for (;;) {
      const published = Atomics.load(this.table, 0);
      if (published > k) break;
      if (this.abandoned()) throw new StreamAbandoned();
      Atomics.wait(this.table, 0, published, 5);
    }
    const at = 1 + k * CHUNK_WORDS;
    const bytes = new Uint8Array(this.bytes, this.table[at] as number, this.table[at + 1] as number);
    let decode: (i: number) => T;
    if (this.table[at + 2] === ENCODING_CODEC && this.codec !== undefined)
      decode = this.codec.decodeTxs(bytes, this.once);
    else {
      const txs = deserialize(bytes) as T[];
      decode = (i) => txs[i] as T;
    }
    while (this.decoders.length < k) this.decoders.push(undefined);
    this.decoders[k] = decode;
    return decode;
  }
}

/** The run was abandoned while a worker waited for a chunk (the main thread says why). */
export class StreamAbandoned extends Error {
  constructor() {
    super("the parallel run was abandoned while transactions were being streamed");
    this.name = "StreamAbandoned";
  }
}
