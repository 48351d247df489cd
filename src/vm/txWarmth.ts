/**
 * The contracts a transaction's frames have run in (by code hash key; EIP-2929's accessed
 * addresses), whose first frame pays `GAS.COLD_CALL` (`callContract.ts`), and their initial
 * memory pages (what the instance pool pins). Not journaled: a reverted frame still ran,
 * and its instance stays pinned until the transaction ends. `dropped`: warm contracts whose
 * last frame grew its memory, so the pool did not keep the instance and their next frame
 * instantiates again. The sets are made when first needed (a native transfer runs no frame).
 * One per transaction, shared by the states nested in it (`txState.ts`).
 */
import type { StateKey } from "../state/keys.js";

/**
 * Warm contracts kept in a list before a set: a transaction's first frames look their
 * contract up by identity in a few entries, with no `Set` made per transaction (a new set
 * and its hashing were ~3% of a token transfer). Keys are compared by value, so a key
 * string that is equal but not the same object is still found.
 */
const WARM_LIST = 8;

/** State keys kept in a list before a set (`TxWarmth.keyList`). */
const KEY_LIST = 16;

export class TxWarmth {
  /** The first `WARM_LIST` warm contracts (most transactions run a few: a scan beats hashing). */
  list: StateKey[] | undefined = undefined;
  /** Every warm contract, once there are more than `WARM_LIST`. */
  warm: Set<StateKey> | undefined = undefined;
  pages = 0;
  dropped: Set<StateKey> | undefined = undefined;
  /**
   * The state keys the transaction's host calls have named (EIP-2929's accessed storage
   * keys): a read of a key not among them pays `GAS.COLD_KEY` (`hostFunctions.ts`). Reads
   * (`storage_get`, `storage_has`, `balance`) and storage writes (`storage_set`,
   * `storage_add`, `storage_delete`) add their key. Not journaled either: a reverted
   * frame's keys stay warm (their key text was built and interned, the work the cold price
   * pays for). Only metered host calls add keys, never the transaction's own checks (its
   * sender's nonce and balance, the fee), so a key's warmth is the same on every path that
   * runs the transaction (sequential, parallel incarnations, `weft_call`, estimates).
   */
  keys: Set<StateKey> | undefined = undefined;
  /**
   * The first `KEY_LIST` of those keys, before `keys` is made: most transactions name a
   * few, and a `Set` made per transaction and grown from 4 to 8 to 16 entries was most of
   * the garbage its host calls left (~0.7-0.8 KB a swap or lending action). Scanned with
   * `===`: a key string is interned (the same object) or compared by its cached hash first.
   */
  keyList: StateKey[] | undefined = undefined;

  /** Whether a frame of the contract whose code hash key is `contract` ran. */
  isWarm(contract: StateKey): boolean {
    if (this.warm !== undefined) return this.warm.has(contract);
    const list = this.list;
    if (list === undefined) return false;
    for (let i = 0; i < list.length; i++) if (list[i] === contract) return true;
    return false;
  }

  /** Whether no host call named `key` yet (its next read pays `GAS.COLD_KEY`). */
  isColdKey(key: StateKey): boolean {
    if (this.keys !== undefined) return !this.keys.has(key);
    const list = this.keyList;
    if (list === undefined) return true;
    for (let i = 0; i < list.length; i++) if (list[i] === key) return false;
    return true;
  }

  /** Marks `key`, which `isColdKey` just answered true for, as named by a host call. */
  warmColdKey(key: StateKey): void {
    if (this.keys !== undefined) {
      this.keys.add(key);
      return;
    }
    if (this.keyList === undefined) this.keyList = [];
    if (this.keyList.length < KEY_LIST) {
      this.keyList.push(key);
      return;
    }
    this.keys = new Set(this.keyList);
    this.keys.add(key);
  }

  /** Marks `contract` (a code hash key, not yet warm) as run, with its initial memory pages. */
  warmUp(contract: StateKey, pages: number): void {
    this.pages += pages;
    if (this.warm !== undefined) {
      this.warm.add(contract);
      return;
    }
    if (this.list === undefined) this.list = [];
    if (this.list.length < WARM_LIST) {
      this.list.push(contract);
      return;
    }
    this.warm = new Set(this.list);
    this.warm.add(contract);
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
}
