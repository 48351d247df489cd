/**
 * Hard limits the VM enforces. Changing one changes consensus: every node must use the
 * same values.
 */

/** Largest contract code accepted at deployment, in bytes. */
export const MAX_CODE_BYTES = 256 * 1024;
/** Largest memory a contract may declare or grow to, in 64 KiB pages (4 MiB). */
export const MAX_MEMORY_PAGES = 64;
/** Largest function table a contract may declare. */
export const MAX_TABLE_ELEMENTS = 4096;
/** Most functions (imported + defined) in one module. */
export const MAX_FUNCTIONS = 10_000;
/** Most locals (parameters included) in one function. */
export const MAX_LOCALS = 1_024;
/** Most globals in one module. */
export const MAX_GLOBALS = 1_024;
/**
 * Budget of "stack units" shared by all wasm frames of a transaction. A frame costs
 * `FRAME_OVERHEAD_UNITS + params + results + locals + max operand stack height` (the values V8
 * keeps in the frame, `wasm/stackHeight.ts`); each nested contract call costs
 * `HOST_FRAME_UNITS` more (its JavaScript frames measure about 1 KiB, 125 units).
 * Exhausting the budget is a deterministic trap; V8's own stack running out would not
 * be, so the budget must always come first: `bench/stackMargin.ts` measures V8's
 * overflow at 3.5x the budget or more on the main thread (984 KiB, the smallest stack a
 * contract runs on; inside an RPC handler too) and 14.5x on 4 MiB workers.
 */
export const MAX_STACK_UNITS = 24_000;
export const FRAME_OVERHEAD_UNITS = 8;
export const HOST_FRAME_UNITS = 256;
/** Deepest nesting of contract-to-contract calls. */
export const MAX_CALL_DEPTH = 64;
/** Most gas one transaction may ask for (the wasm gas counter is an i32). */
export const MAX_TX_GAS = 1_000_000_000;

export const MAX_INPUT_BYTES = 128 * 1024;
export const MAX_RETURN_BYTES = 64 * 1024;
export const MAX_KEY_BYTES = 256;
export const MAX_VALUE_BYTES = 64 * 1024;
export const MAX_EVENT_BYTES = 16 * 1024;
export const MAX_EVENT_TOPICS = 4;
export const MAX_METHOD_NAME_BYTES = 64;
