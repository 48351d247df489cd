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

/**
 * The contracts a transaction's frames have run in (by code hash key; EIP-2929's accessed
 * addresses), whose first frame pays `GAS.COLD_CALL` (`callContract.ts`), and their initial
 * memory pages (what the instance pool pins). Not journaled: a reverted frame still ran,
 * and its instance stays pinned until the transaction ends. `dropped`: warm contracts whose
 * last frame grew its memory, so the pool did not keep the instance and their next frame
 * instantiates again. The sets are made when first needed (a native transfer runs no frame).
 */
interface Warmth {
  /** The first `WARM_LIST` warm contracts (most transactions run a few: a scan beats hashing). */
  list: StateKey[] | undefined;
  /** Every warm contract, once there are more than `WARM_LIST`. */
  warm: Set<StateKey> | undefined;
  pages: number;
  dropped: Set<StateKey> | undefined;
}

/**
 * Warm contracts kept in a list before a set: a transaction's first frames look their
 * contract up by identity in a few entries, with no `Set` made per transaction (a new set
 * and its hashing were ~3% of a token transfer). Keys are compared by value, so a key
 * string that is equal but not the same object is still found.
 */
const WARM_LIST = 8;

let nextTxId = 0;

export class TxState {
  /** Unique in this process: names the transaction (the instance pool pins for it, `instancePool.ts`). */
  readonly id: number;
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
   * Contracts a frame of this transaction has run in, with their pages, and those whose
   * instance was dropped (`Warmth`); shared with the states nested in this one (`nested`).
   */
  private readonly warmth: Warmth;

  /**
   * A transaction's state over `view`. With `outer`, a state nested in another one of the
   * same transaction (WASM code called from EVM code inside it, `chain/wasmFromEvm.ts`):
   * it has its own writes and events over `view`, and shares the transaction's id and
   * warm contracts with `outer`, so a contract warm in the transaction is warm in it.
   */
  constructor(
    private readonly view: StateView,
    outer?: TxState,
  ) {
    this.id = outer === undefined ? ++nextTxId : outer.id;
    this.warmth =
      outer === undefined ? { list: undefined, warm: undefined, pages: 0, dropped: undefined } : outer.warmth;
  }

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
    const w = this.warmth;
    if (w.warm !== undefined) return w.warm.has(contract);
    const list = w.list;
    if (list === undefined) return false;
    for (let i = 0; i < list.length; i++) if (list[i] === contract) return true;
    return false;
  }

  /** Pages of initial memory of the contracts that ran in this transaction. */
  get pinnedPages(): number {
    return this.warmth.pages;
  }

  /** Marks `contract` (a code hash key, not yet warm) as run, with its initial memory pages. */
  warmUp(contract: StateKey, pages: number): void {
    const w = this.warmth;
    w.pages += pages;
    if (w.warm !== undefined) {
      w.warm.add(contract);
      return;
    }
    if (w.list === undefined) w.list = [];
    if (w.list.length < WARM_LIST) {
      w.list.push(contract);
      return;
    }
    w.warm = new Set(w.list);
    w.warm.add(contract);
  }

  /** The instance of `contract` (warm) was not kept: its next frame instantiates again. */
  instanceDropped(contract: StateKey): void {
    const w = this.warmth;
    if (w.dropped === undefined) w.dropped = new Set();
    w.dropped.add(contract);
  }

  /** Whether the next frame of `contract` must instantiate again (`instanceDropped`). */
  isDropped(contract: StateKey): boolean {
    return this.warmth.dropped?.has(contract) === true;
  }

  /** A frame of `contract` instantiated it again: its instance is pinned anew. */
  reinstantiated(contract: StateKey): void {
    this.warmth.dropped?.delete(contract);
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
