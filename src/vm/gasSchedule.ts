/**
 * What everything costs, in gas. Wasm instructions are charged per basic block before
 * the block runs (one unit per instruction); host functions are charged by the work they
 * do. Changing a value changes consensus.
 */
export const GAS = {
  /** Each wasm instruction in a basic block. */
  INSTRUCTION: 1,
  /** Each 64 KiB page added by memory.grow (and each initial page at instantiation). */
  MEMORY_PAGE: 2_000,
  /** Every host function call, on top of its own cost. */
  HOST_CALL: 20,
  /** Each byte copied between the host and wasm memory. */
  BYTE: 1,
  STORAGE_READ: 200,
  STORAGE_WRITE: 500,
  /** Each byte of key and value written to storage. */
  STORAGE_BYTE: 4,
  EVENT: 100,
  EVENT_TOPIC: 50,
  TRANSFER: 400,
  HASH: 60,
  HASH_WORD: 10,
  /**
   * Signature checks, priced like the rest of the schedule at roughly one gas per
   * nanosecond of the host's measured cost (bench/signatures.ts: ed25519 ~109 µs,
   * P-256 ~74 µs native; secp256k1 recovery ~1.4 ms in JavaScript).
   */
  ED25519_VERIFY: 100_000,
  P256_VERIFY: 80_000,
  SECP256K1_RECOVER: 1_500_000,
  /** Starting a contract call (instantiating a cached module). */
  CALL: 1_000,
  /** Each byte of code of the called contract (loading it). */
  CODE_BYTE: 0,
  /** Every transaction pays this before anything runs. */
  TX_BASE: 5_000,
  /** Each byte of transaction payload (arguments, code). */
  TX_BYTE: 4,
  /** A deployment, on top of TX_BASE. */
  DEPLOY: 20_000,
  /** Each byte of deployed code (validation, instrumentation, storage). */
  DEPLOY_BYTE: 40,
} as const;
