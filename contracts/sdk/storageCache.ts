/**
 * A per-frame cache of storage slots, so that a call reading a slot again (a balance read
 * by a check and then by the update, a pool's reserves read by a quote and then by the
 * swap) does not cross into the host again: counted, staking repeated 4.2 of its 11.7
 * `storage_get` calls per transaction and lending 3.1 of 17.9.
 *
 * - A read the host answers is kept: its value (or its absence) under its key.
 * - A write or a delete keeps what it wrote (the host returns a frame's own writes to it,
 *   byte for byte, so a later read would give the same).
 * - `storage_add` drops the key: a commutative credit is read back through the host, which
 *   turns it into a read of the sum the engine records and validates (`TxState.add`).
 * - Every outgoing call (`call`, `create`, `evm_call`) empties it, so a value is never
 *   reused across code that ran elsewhere, whatever that code could reach. (The VM refuses
 *   reentrancy, so nothing else can write this contract's slots while it runs, but the
 *   cache does not depend on that.)
 *
 * It lives in memory the module allocates at start and in module globals, which the VM sets back for every call
 * (`src/vm/instancePool.ts`), so each frame starts empty and nothing outlives the frame.
 * It is deterministic: what it holds depends only on the frame's own storage operations.
 * It only moves gas: a hit costs the wasm of a lookup instead of a host read.
 *
 * Bounded: `SLOTS` entries of keys up to `KEY_MAX` bytes and values up to `VALUE_MAX`
 * bytes (longer ones are not kept, and always go to the host); past `SLOTS` keys the
 * entries are replaced in turn. Small on purpose: every byte of code it adds to a contract
 * is paid for (`GAS.COLD_CODE_BYTE`) by each transaction that first calls the contract, so
 * it is a plain scan of at most `SLOTS` entries, without hashing.
 */

/** Entries; a power of two. */
const SLOTS: i32 = 16;
/** Keys longer than this are not cached (a map's name prefix and two addresses take ~50). */
export const KEY_MAX: i32 = 64;
/** Values longer than this are not cached (a U128 takes 16, an address 20, a U256 32). */
export const VALUE_MAX: i32 = 32;

// Per entry: key length i32 (-1: a dropped entry, which no key matches), value length i32
// (-1: the slot is absent); then the keys, then the values. On the heap, not in static
// data: a static zero region would be a data segment, and every byte of a contract is
// paid for when a transaction first calls it. Made last of all at the end of the start
// function (`scratch.ts`), so that its zeros are past the snapshot's end and a frame's
// writes to it are above what the snapshot holds. Nothing past `count` is read, so the
// bytes it starts with do not matter.
const CACHE_BYTES: i32 = SLOTS * (8 + KEY_MAX + VALUE_MAX);
let meta: usize = 0;

/** Makes the cache's memory (at the first entry kept: `prepareScratch` does it at start). */
export function cacheMemory(): usize {
  let at = meta;
  if (at == 0) {
    at = heap.alloc(CACHE_BYTES);
    meta = at;
  }
  return at;
}

function keyAt(e: i32): usize {
  return meta + <usize>(SLOTS * 8 + e * KEY_MAX);
}

/** Where entry `e`'s value bytes are. */
export function cacheValueAt(e: i32): usize {
  return meta + <usize>(SLOTS * (8 + KEY_MAX) + e * VALUE_MAX);
}

/** Entries in use, in [0, SLOTS]. */
let count: i32 = 0;
/** The entry replaced next when all are in use. */
let victim: i32 = 0;

/** The entry holding the key at `kp` (`kl` bytes), or -1. Compares from the end, where keys of one map differ. */
export function cacheFind(kp: usize, kl: i32): i32 {
  for (let e: i32 = 0; e < count; e++) {
    if (load<i32>(meta + <usize>(e << 3)) != kl) continue;
    const held = keyAt(e);
    let i = kl;
    for (; i >= 8; i -= 8) if (load<u64>(held + i - 8) != load<u64>(kp + i - 8)) break;
    if (i >= 8) continue;
    for (; i > 0; i--) if (load<u8>(held + i - 1) != load<u8>(kp + i - 1)) break;
    if (i == 0) return e;
  }
  return -1;
}

/** The value length of entry `e`: -1 when the slot is absent. */
export function cacheValueLength(e: i32): i32 {
  return load<i32>(meta + <usize>(e << 3), 4);
}

/**
 * Keeps `vl` bytes at `vp` (`vl` -1: absent) as the value of the key at `kp`, whose entry
 * `cacheFind` gave as `e` (-1: none). A key or value too long is not kept (and its entry is dropped).
 */
export function cacheKeep(e: i32, kp: usize, kl: i32, vp: usize, vl: i32): void {
  if (kl > KEY_MAX || vl > VALUE_MAX) {
    if (e >= 0) store<i32>(meta + <usize>(e << 3), -1);
    return;
  }
  if (e < 0) {
    cacheMemory();
    e = count;
    if (e < SLOTS) count = e + 1;
    else {
      e = victim;
      victim = (e + 1) & (SLOTS - 1);
    }
    store<i32>(meta + <usize>(e << 3), kl);
    memory.copy(keyAt(e), kp, kl);
  }
  store<i32>(meta + <usize>(e << 3), vl, 4);
  if (vl > 0) memory.copy(cacheValueAt(e), vp, vl);
}

/** Forgets the key at `kp`, if held. */
export function cacheDrop(kp: usize, kl: i32): void {
  const e = cacheFind(kp, kl);
  if (e >= 0) store<i32>(meta + <usize>(e << 3), -1);
}

/** Forgets everything: before every outgoing call. */
export function cacheClear(): void {
  count = 0;
  victim = 0;
}
