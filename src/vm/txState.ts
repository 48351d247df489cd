/**
 * The state of one transaction while it runs: a journaled overlay over the engine's
 * `StateView`. Every write is recorded in a journal so that a call frame can be undone
 * on its own (`snapshot` / `revertTo`): a reverted inner call loses only its writes and
 * events, the caller keeps its own. At the end the overlay is the transaction's write set.
 */
import type { Address } from "../codec/address.js";
import { decodeU128, encodeU128 } from "../engine/deltas.js";
import type { StateView } from "../engine/types.js";
import { balanceKey, type StateKey, type StateValue } from "../state/keys.js";
import type { WriteSet } from "../state/storage.js";

/** An event as it appears in a receipt. */
export interface LogEvent {
  /** The contract that emitted it. */
  address: Address;
  /** 32-byte topics as 0x-prefixed hex. */
  topics: string[];
  data: Uint8Array;
}

/** A point to return to: positions in the write journal and the event list. */
export interface Snapshot {
  journal: number;
  events: number;
  eventBytes: number;
}

/** An event's size as the per-transaction cap counts it: its data and 32 bytes per topic. */
export function eventBytes(event: LogEvent): number {
  return event.data.length + 32 * event.topics.length;
}

const ABSENT = Symbol("absent");

let nextTxId = 0;

export class TxState {
  /** Unique in this process: names the transaction (the instance pool pins for it, `instancePool.ts`). */
  readonly id = ++nextTxId;
  readonly writes: WriteSet = new Map();
  readonly events: LogEvent[] = [];
  /** `eventBytes` summed over `events`. */
  private eventTotal = 0;
  /**
   * The write journal: each write's key then the value it replaced, flat (a pair per
   * write was an allocation per write).
   */
  private readonly journal: Array<StateKey | StateValue | null | typeof ABSENT> = [];
  /**
   * The last balance value decoded or encoded here and its amount: a transaction reads its
   * sender's balance before and after running (the fee), mostly the same value object.
   * Values are never changed in place once written or read, so the object names its amount.
   */
  private lastBalance: StateValue | undefined;
  private lastAmount = 0n;
  /**
   * The balance keys of the last two accounts asked about (a transfer: sender and
   * recipient, each read and written several times). The shared cache behind `balanceKey`
   * is a map of every recent address, about 100-200 ns a lookup at 10,000 accounts:
   * most of a native transfer's own time went there.
   */
  private keyAccount: Address | undefined;
  private accountKey: StateKey = "";
  private keyAccount2: Address | undefined;
  private accountKey2: StateKey = "";
  /**
   * Contracts a frame of this transaction has run in, by their code hash key (one string
   * per address whatever its case; EIP-2929's accessed addresses): the first frame of each
   * pays `GAS.COLD_CALL` (`callContract.ts`). Not journaled: a reverted frame still ran,
   * and its instance stays pinned until the transaction ends. Made at the first frame (a
   * native transfer runs none).
   */
  private warm: Set<StateKey> | undefined;
  /** Initial memory pages of the contracts in `warm` (what the instance pool pins for it). */
  private warmPages = 0;
  /**
   * Warm contracts whose last frame grew its memory: the pool does not keep such an
   * instance, so their next frame pays the instantiation again (`callContract.ts`). Not
   * journaled either: the instance was dropped whether or not the frame reverted. Made
   * when first needed.
   */
  private dropped: Set<StateKey> | undefined;

  constructor(private readonly view: StateView) {}

  read(key: StateKey): StateValue | undefined {
    // One lookup: a written key holds a value or null (deleted), never undefined.
    const written = this.writes.get(key);
    if (written !== undefined) return written === null ? undefined : written;
    return this.view.read(key);
  }

  /** Writes `value`, or deletes the key when `value` is null. */
  write(key: StateKey, value: StateValue | null): void {
    const previous = this.writes.get(key);
    this.journal.push(key, previous === undefined ? ABSENT : previous);
    this.writes.set(key, value);
  }

  /** Whether a frame of the contract whose code hash key is `contract` ran in this transaction. */
  isWarm(contract: StateKey): boolean {
    return this.warm?.has(contract) === true;
  }

  /** Pages of initial memory of the contracts that ran in this transaction. */
  get pinnedPages(): number {
    return this.warmPages;
  }

  /** Marks `contract` (a code hash key, not yet warm) as run, with its initial memory pages. */
  warmUp(contract: StateKey, pages: number): void {
    if (this.warm === undefined) this.warm = new Set();
    this.warm.add(contract);
    this.warmPages += pages;
  }

  /** The instance of `contract` (warm) was not kept: its next frame instantiates again. */
  instanceDropped(contract: StateKey): void {
    if (this.dropped === undefined) this.dropped = new Set();
    this.dropped.add(contract);
  }

  /** Whether the next frame of `contract` must instantiate again (`instanceDropped`). */
  isDropped(contract: StateKey): boolean {
    return this.dropped?.has(contract) === true;
  }

  /** A frame of `contract` instantiated it again: its instance is pinned anew. */
  reinstantiated(contract: StateKey): void {
    this.dropped?.delete(contract);
  }

  emit(event: LogEvent): void {
    this.events.push(event);
    this.eventTotal += eventBytes(event);
  }

  /** Bytes of the events kept so far (data and 32 per topic). */
  get eventBytes(): number {
    return this.eventTotal;
  }

  snapshot(): Snapshot {
    return { journal: this.journal.length, events: this.events.length, eventBytes: this.eventTotal };
  }

  /** Undoes every write and event made since `snap`. */
  revertTo(snap: Snapshot): void {
    while (this.journal.length > snap.journal) {
      const previous = this.journal.pop() as StateValue | null | typeof ABSENT;
      const key = this.journal.pop() as StateKey;
      if (previous === ABSENT) this.writes.delete(key);
      else this.writes.set(key, previous);
    }
    this.events.length = snap.events;
    this.eventTotal = snap.eventBytes;
  }

  /** `balanceKey(address)`, from the last two asked about when it is one of them. */
  private balanceKeyOf(address: Address): StateKey {
    if (address === this.keyAccount) return this.accountKey;
    if (address === this.keyAccount2) return this.accountKey2;
    const key = balanceKey(address);
    this.keyAccount2 = this.keyAccount;
    this.accountKey2 = this.accountKey;
    this.keyAccount = address;
    this.accountKey = key;
    return key;
  }

  balanceOf(address: Address): bigint {
    const value = this.read(this.balanceKeyOf(address));
    if (value === undefined) return 0n;
    if (value !== this.lastBalance) {
      this.lastAmount = decodeU128(value);
      this.lastBalance = value;
    }
    return this.lastAmount;
  }

  setBalance(address: Address, amount: bigint): void {
    const value = encodeU128(amount);
    this.write(this.balanceKeyOf(address), value);
    this.lastBalance = value;
    this.lastAmount = BigInt.asUintN(128, amount);
  }

  /** Moves native coin; returns false (and changes nothing) if `from` has too little. */
  transfer(from: Address, to: Address, amount: bigint): boolean {
    if (amount === 0n) return true;
    const fromBalance = this.balanceOf(from);
    if (fromBalance < amount) return false;
    this.setBalance(from, fromBalance - amount);
    this.setBalance(to, this.balanceOf(to) + amount);
    return true;
  }
}
