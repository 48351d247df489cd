/** The state layer: key layout, the storage interface, in-memory and LMDB stores. */
export { checkKey, StateError, type StateErrorCode } from "./errors.js";
export * from "./keys.js";
export { lmdbDataFile } from "./lmdbHeader.js";
export { type LmdbStoreOptions, openLmdbStore } from "./lmdbStore.js";
export { checkLmdbFile } from "./lmdbWalk.js";
export { createMemoryStore } from "./memoryStore.js";
export type { StateReader, Storage, WriteSet } from "./storage.js";
