/**
 * The state of one transaction while it runs: a journaled overlay over the engine's
 * `StateView`. Every write is recorded in a journal so that a call frame can be undone
 * on its own (`snapshot` / `revertTo`): a reverted inner call loses only its writes and
 * events, the caller keeps its own. At the end the overlay is the transaction's write set.
 */
import type { Address } from "../codec/address.js";
import { decodeU128, encodeU128, sumU128 } from "../engine/deltas.js";
import type { DeltaSet, StateView } from "../engine/types.js";
import { balanceKey, type StateKey, type StateValue } from "../state/keys.js";
import type { WriteSet } from "../state/storage.js";
import { TxWarmth } from "./txWarmth.js";

/** An event as it appears in a receipt. */
export interface LogEvent {
  /** The contract that emitted it. */
  address: Address;
  /** 32-byte topics as 0x-prefixed hex. */
  topics: string[];
  data: Uint8Array;
}

/** A point to return to: positions in the write and credit journals and the event list. */
export interface Snapshot {
  journal: number;
  credits: number;
  events: number;
  eventBytes: number;
}

/** An event's size as the per-transaction cap counts it: its data and 32 bytes per topic. */
export function eventBytes(event: LogEvent): number {
  return event.data.length + 32 * event.topics.length;
}

const ABSENT = Symbol("absent");

const U128_MAX = (1n << 128n) - 1n;

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
   * Commutative additions (`add`) to u128 keys this transaction has not written, summed per
   * key: they leave as deltas (`deltas`), so the transaction does not depend on earlier
   * writers of the key unless they change whether each addition stayed in range
   * (`StateView.fits`). A read of the key sees the value plus the sum and, the transaction
   * now depending on the value, writes it in place of the sum (`read`); a write replaces the
   * sum (the value written was computed from that read). Made when first needed.
   */
  private credits: Map<StateKey, bigint> | undefined;
  /** The credit journal: a key then the sum it had (`ABSENT`: none), flat. */
  private readonly creditJournal: Array<StateKey | bigint | typeof ABSENT> = [];
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
   * instance was dropped (`TxWarmth`); shared with the states nested in this one (`nested`).
   */
  private readonly warmth: TxWarmth;

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
    this.warmth = outer === undefined ? new TxWarmth() : outer.warmth;
  }

  read(key: StateKey): StateValue | undefined {
    // One lookup: a written key holds a value or null (deleted), never undefined.
    const written = this.writes.get(key);
    if (written !== undefined) return written === null ? undefined : written;
    const base = this.view.read(key);
    const credit = this.credits?.get(key);
    if (credit === undefined) return base;
    // In range: `add` checked base + credit with `fits` over this same view. Having read
    // the value, the transaction depends on it: its credit becomes a plain write of the
    // sum (journaled, so a revert to before this read restores the credit). The state and
    // every answer are the same; later readers of the key in the block find this value
    // instead of summing one delta per earlier credit (a pool's balance, credited and then
    // read by every swap into it, had a chain of hundreds).
    const value = sumU128(base, credit) ?? encodeU128(decodeU128(base) + credit);
    this.write(key, value);
    return value;
  }

  /** Writes `value`, or deletes the key when `value` is null. */
  write(key: StateKey, value: StateValue | null): void {
    const previous = this.writes.get(key);
    this.journal.push(key, previous === undefined ? ABSENT : previous);
    this.writes.set(key, value);
    const credit = this.credits?.get(key);
    if (credit !== undefined) {
      this.creditJournal.push(key, credit);
      this.credits?.delete(key);
    }
  }

  /**
   * Adds `delta` (negative: subtracts) to the u128 little-endian number at `key` (absent =
   * 0); false, changing nothing, if the result would leave [0, 2^128). On a key this
   * transaction has not written, over a view with `fits`, the addition is a commutative
   * delta checked by `fits`; otherwise the value is read and written in place. Both give the
   * same answers and the same state: only what the transaction depends on differs.
   */
  add(key: StateKey, delta: bigint): boolean {
    if (delta === 0n) return true;
    const view = this.view;
    if (this.writes.has(key) || view.fits === undefined) {
      const value = sumU128(this.read(key), delta);
      if (value === undefined) return false;
      this.write(key, value);
      return true;
    }
    const previous = this.credits?.get(key);
    const sum = previous === undefined ? delta : previous + delta;
    // Past ±(2^128 - 1) no value in [0, 2^128) keeps it in range: refused without asking the
    // view. The engine records a range check's delta in 16 bytes and a sign; a larger one was
    // truncated, so its validation answered differently every time (a transaction
    // subtracting 10^30 then 2^128 - 1 from one key was re-run 28,510 times in one block).
    if (sum > U128_MAX || sum < -U128_MAX) return false;
    if (!view.fits(key, sum)) return false;
    if (this.credits === undefined) this.credits = new Map();
    this.creditJournal.push(key, previous === undefined ? ABSENT : previous);
    this.credits.set(key, sum);
    return true;
  }

  /** Whether `key` has a pending commutative addition (`add`) in this transaction. */
  hasCredit(key: StateKey): boolean {
    return this.credits?.has(key) === true;
  }

  /**
   * The transaction's deltas: its commutative additions, and `amount` more for `feeKey`
   * (the fee recipient; none when `amount` is 0). A key whose additions sum to zero keeps
   * its zero delta, so that the block writes it as adding in place would (16 bytes, even
   * where it was absent): both ways give the same write set.
   */
  deltas(feeKey: StateKey, amount: bigint): DeltaSet {
    const out: DeltaSet = new Map();
    this.credits?.forEach((sum, key) => {
      out.set(key, sum);
    });
    if (amount > 0n) out.set(feeKey, (out.get(feeKey) ?? 0n) + amount);
    return out;
  }

  /**
   * `deltas(feeKey, amount)` as the transaction's last step: the credits' own map is handed
   * over with the fee added (no copy), and this state keeps no credits. Nothing may use the
   * state after it but its `writes` and `events`.
   */
  finalDeltas(feeKey: StateKey, amount: bigint): DeltaSet {
    const out: DeltaSet = this.credits ?? new Map();
    this.credits = undefined;
    this.creditJournal.length = 0;
    if (amount > 0n) out.set(feeKey, (out.get(feeKey) ?? 0n) + amount);
    return out;
  }

  /** Whether a frame of the contract whose code hash key is `contract` ran in this transaction. */
  isWarm(contract: StateKey): boolean {
    return this.warmth.isWarm(contract);
  }

  /** Whether no host call of this transaction named `key` yet (its next read pays `GAS.COLD_KEY`). */
  isColdKey(key: StateKey): boolean {
    return this.warmth.isColdKey(key);
  }

  /** Marks `key` as named by a host call of this transaction (`TxWarmth.keys`). */
  warmKey(key: StateKey): void {
    const w = this.warmth;
    if (w.isColdKey(key)) w.warmColdKey(key);
  }

  /** `warmKey` of a key `isColdKey` just answered true for (not looked up again). */
  warmColdKey(key: StateKey): void {
    this.warmth.warmColdKey(key);
  }

  /** Pages of initial memory of the contracts that ran in this transaction. */
  get pinnedPages(): number {
    return this.warmth.pages;
  }

  /** Marks `contract` (a code hash key, not yet warm) as run, with its initial memory pages. */
  warmUp(contract: StateKey, pages: number): void {
    this.warmth.warmUp(contract, pages);
  }

  /** The instance of `contract` (warm) was not kept: its next frame instantiates again. */
  instanceDropped(contract: StateKey): void {
    this.warmth.instanceDropped(contract);
  }

  /** Whether the next frame of `contract` must instantiate again (`instanceDropped`). */
  isDropped(contract: StateKey): boolean {
    return this.warmth.isDropped(contract);
  }

  /** A frame of `contract` instantiated it again: its instance is pinned anew. */
  reinstantiated(contract: StateKey): void {
    this.warmth.reinstantiated(contract);
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
    return {
      journal: this.journal.length,
      credits: this.creditJournal.length,
      events: this.events.length,
      eventBytes: this.eventTotal,
    };
  }

  /** Undoes every write and event made since `snap`. */
  revertTo(snap: Snapshot): void {
    while (this.journal.length > snap.journal) {
      const previous = this.journal.pop() as StateValue | null | typeof ABSENT;
      const key = this.journal.pop() as StateKey;
      if (previous === ABSENT) this.writes.delete(key);
      else this.writes.set(key, previous);
    }
    while (this.creditJournal.length > snap.credits) {
      const previous = this.creditJournal.pop() as bigint | typeof ABSENT;
      const key = this.creditJournal.pop() as StateKey;
      if (previous === ABSENT) this.credits?.delete(key);
      else this.credits?.set(key, previous);
    }
    this.events.length = snap.events;
    this.eventTotal = snap.eventBytes;
  }

  /** `balanceKey(address)`, from the last two asked about when it is one of them. */
  balanceKeyOf(address: Address): StateKey {
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
    // The amount itself when in range (asUintN makes a new BigInt every time).
    this.lastAmount = amount >= 0n && amount <= U128_MAX ? amount : BigInt.asUintN(128, amount);
  }

  /**
   * Moves native coin; returns false (and changes nothing) if `from` has too little or `to`
   * would pass u128 (which a supply below 2^128 never allows). The recipient is credited with
   * `add`, a commutative delta: many payments to one account (a marketplace, a merchant) in a
   * block do not depend on each other. `from` pays in place, unless this transaction
   * credited it so (a contract passing on what it was paid), where the debit is a delta too.
   */
  transfer(from: Address, to: Address, amount: bigint): boolean {
    if (amount === 0n) return true;
    const fromKey = this.balanceKeyOf(from);
    const snap = this.creditJournal.length;
    const journal = this.journal.length;
    if (this.hasCredit(fromKey)) {
      if (!this.add(fromKey, -amount)) return false;
    } else {
      const fromBalance = this.balanceOf(from);
      if (fromBalance < amount) return false;
      this.setBalance(from, fromBalance - amount);
    }
    if (this.add(this.balanceKeyOf(to), amount)) return true;
    this.revertTo({ journal, credits: snap, events: this.events.length, eventBytes: this.eventTotal });
    return false;
  }

  /** Whether `transfer` of `amount` from `from` failed on the recipient's range, not the payer's funds. */
  recipientOverflows(to: Address, amount: bigint): boolean {
    return this.balanceOf(to) + amount > U128_MAX;
  }
}
