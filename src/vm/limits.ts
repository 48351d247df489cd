/**
 * Hard limits the VM enforces. Changing one changes consensus: every node must use the
 * same values.
 */

/** Largest contract code accepted at deployment, in bytes. */
export const MAX_CODE_BYTES = 256 * 1024;
/** Largest memory a contract may declare or grow to, in 64 KiB pages (4 MiB). */
export const MAX_MEMORY_PAGES = 64;
/**
 * Largest function table a contract may declare (refused at deployment with `TABLE_LIMIT`).
 * Instantiating a module takes ~120 ns per table entry (a 4,096-entry table: ~0.5 ms, 6-10x
 * what a cold call paid, and ~55 bytes per entry that a transaction pins), so the table is
 * kept small enough for `GAS.COLD_CALL` to cover it (128 entries: ~16 µs). The shipped
 * contracts declare no table.
 */
export const MAX_TABLE_ELEMENTS = 128;
/** Most functions (imported + defined) in one module. */
export const MAX_FUNCTIONS = 10_000;
/** Most locals (parameters included) in one function. */
export const MAX_LOCALS = 1_024;
/** Most globals in one module. */
export const MAX_GLOBALS = 1_024;
/**
 * Budget of "stack units" shared by all wasm frames of a transaction. A frame costs
 * `FRAME_OVERHEAD_UNITS + 2 × params + results + locals + max operand stack height` (the
 * values V8 keeps in the frame, `wasm/stackHeight.ts`); each nested contract call costs
 * `HOST_FRAME_UNITS` more (its JavaScript frames measure about 1 KiB, 125 units).
 * Exhausting the budget is a deterministic trap; V8's own stack running out would not
 * be, so the budget must always come first: `bench/stackMargin.ts` measured V8's
 * overflow at no fewer than 122,963 units in use on the main thread (984 KiB, the
 * smallest stack a contract runs on; inside an RPC handler too), 4.4x the most a
 * transaction can reach (`MAX_STACK_UNITS + MAX_FRAME_UNITS`), and 17.8x on 4 MiB workers.
 */
export const MAX_STACK_UNITS = 24_000;
export const FRAME_OVERHEAD_UNITS = 8;
export const HOST_FRAME_UNITS = 256;
/**
 * Stack units a WASM frame entered from EVM code (WASM → EVM → WASM) counts for the EVM
 * between: `evm_call`'s host frames, the EVM realm's job and microtask frames and the
 * interpreter's up to the host precompile (`bench/evmCrossingStack.ts` measures them).
 */
export const EVM_CROSSING_UNITS = 4_096;
/**
 * Largest frame one function may need, in stack units (refused at deployment above it).
 * V8 allocates a frame before the function's first instruction can check the budget, so
 * the real stack is bounded by `MAX_STACK_UNITS + MAX_FRAME_UNITS` units, not by the
 * budget alone. The shipped contracts' largest frame is 36 units.
 */
export const MAX_FRAME_UNITS = 4_096;
/**
 * Most pages of initial memory (64 KiB each) summed over the distinct contracts one
 * transaction runs (128 MiB; 2,048 one-page contracts). The instance pool keeps every
 * instance a transaction used until it ends, so that later calls are warm
 * (`instancePool.ts`): this bounds what it holds. A frame of one more contract past it is
 * refused with `LimitExceeded`.
 */
export const MAX_TX_CONTRACT_PAGES = 2_048;
/** Deepest nesting of contract-to-contract calls. */
export const MAX_CALL_DEPTH = 64;
/** Most gas one transaction may ask for (below `MAX_FRAME_GAS`, the gas counter's range). */
export const MAX_TX_GAS = 1_000_000_000;
/**
 * Most gas a call into the VM may be given: the range of the wasm gas counter, an i32
 * global (`wasm/instrument.ts`, `counters.ts`). A larger cap would wrap (3e9 became
 * -1.29e9, 1e11 about 0.7e9), so the VM refuses one with `GasCapError` instead, and a
 * caller whose budget is larger (the EVM's precompile, `chain/wasmFromEvm.ts`) gives at most this.
 */
export const MAX_FRAME_GAS = 2 ** 31 - 1;

export const MAX_INPUT_BYTES = 128 * 1024;
/** Largest return or revert data of one frame (so of a receipt's output). */
export const MAX_RETURN_BYTES = 64 * 1024;
export const MAX_KEY_BYTES = 256;
export const MAX_VALUE_BYTES = 64 * 1024;
/** Largest data of one event. */
export const MAX_EVENT_BYTES = 16 * 1024;
export const MAX_EVENT_TOPICS = 4;
/**
 * Most events one transaction keeps (those of reverted frames do not count). One more
 * reverts the emitting frame with `LimitExceeded`; if nothing catches it, the transaction
 * fails with that error in its receipt.
 */
export const MAX_TX_EVENTS = 1_024;
/** Most event bytes one transaction keeps: data plus 32 per topic, over all its events. */
export const MAX_TX_EVENT_BYTES = 256 * 1024;
export const MAX_METHOD_NAME_BYTES = 64;
