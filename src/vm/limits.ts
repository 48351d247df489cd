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
 * `FRAME_OVERHEAD_UNITS + params + locals + max operand stack height`; each nested
 * contract call costs `HOST_FRAME_UNITS` more. Chosen so that V8's own stack (about
 * 984 KiB on the main thread, 4 MiB in workers) is never reached first: exhausting the
 * budget is a deterministic trap, a V8 stack overflow would not be.
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
