/**
 * What everything costs, in gas. Changing a value changes consensus.
 *
 * Every value below comes from `bench/calibrate.ts` (ARCHITECTURE.md has its tables and
 * the command), which runs each instruction class, host function and per-byte cost in a
 * loop and divides time by gas: every operation priced by time runs within 3x of the
 * median ns per gas (about 0.3 ns; the slowest about 0.6 ns on the 2-core development VM),
 * so that a block at the gas limit has a bounded wall time whatever it runs (ARCHITECTURE.md
 * states it). Storage, receipt bytes and deployed code cost more than their time: they
 * are priced by the budgets below.
 *
 * State growth budget: every byte a transaction can add to the state (storage keys and
 * values, code, new balances from `transfer`) costs at least `STORAGE_BYTE` gas, so a
 * transaction adds at most `MAX_TX_GAS / STORAGE_BYTE` bytes (4 MB) and a block at most
 * `blockGasLimit / STORAGE_BYTE` (12 MB at the default 3e9), plus the balances of plain
 * coin transfers (bounded by the block's transaction count).
 */
export const GAS = {
  /** Each wasm instruction in a basic block (charged before the block runs). */
  INSTRUCTION: 1,
  /** `call` and `call_indirect`, instead of INSTRUCTION: the callee's stack metering runs on entry and exit. */
  CALL_INSTRUCTION: 15,
  /**
   * Integer division and remainder (`div_s`, `div_u`, `rem_s`, `rem_u`), instead of INSTRUCTION.
   * Session 16, quiet, three full `calibrate.js --rounds 9` runs: "i64 division" 30.2-30.9 ns
   * per 8 ops, 0.343-0.352 ns/gas at 4 (2.54-3.00x a median that moved 0.114-0.138); at 6,
   * 104 gas per 8 ops, ~0.29 ns/gas (2.6x the lowest median).
   */
  DIVISION: 6,
  /**
   * Each initial 64 KiB page of a frame's memory, zeroed again before the instance's next
   * call: ~5 µs a page once many contracts' memories no longer fit the CPU's caches
   * (`bench/calibrate.ts`, "call, warm (cycling 1,000 contracts)": 9-14 µs a call with
   * CALL, 0.37-0.57 ns/gas at 16,000 a page). Session 16, quiet, full calibration runs
   * (2 laps against 16): 8.2 µs a call at 16,000 (0.336 ns/gas, 2.7x the median 0.123);
   * session 15's run saw 12.4 µs (4.2x). At 32,000 a page 12.4 µs is 0.31 ns/gas, 2.5x.
   * Alone (`--only cycle`) the same call takes 0.6-2.7 µs: the price is set by a heap as
   * big as a node's.
   */
  MEMORY_PAGE: 32_000,
  /**
   * Each run of a contract's static data past the first, and each 16 bytes of it (rounded
   * up per run), copied into its memory on every call (`wasm/dataSegments.ts`: the data
   * segments are flattened at compile time into runs at least `MERGE_GAP` = 64,000 bytes
   * apart; `GAS.CALL` covers the first run). A call of a module declaring 40,000
   * overlapping one-byte segments paid nothing for copying each (~800 µs a call, ~140x the
   * median ns/gas); `bench/calibrate.ts`, copying 4 MiB of data into a 64-page memory the pool had just zeroed
   * took ~0.085 ns a byte on the loaded VM (the cache no longer holds it; the calibration's
   * memory.copy row, in cache, 0.018), 5.5x the median at 1 gas per 16 bytes, hence 4; the
   * run price is a page's (`MEMORY_PAGE`), a bound well above one copy call
   * ("call, warm (per static data run)" measures it).
   */
  DATA_RUN: 16_000,
  DATA_WORD: 4,
  /**
   * Each 64 KiB page added by memory.grow (~35 µs: a memory that grew is not reused, so
   * it is zeroed or left to the garbage collector).
   */
  MEMORY_GROW_PAGE: 100_000,
  /**
   * `memory.copy` and `memory.fill`, on top of CALL_INSTRUCTION (each runs as a call of an
   * injected function that charges it, `wasm/instrument.ts`), and each 16 bytes they touch
   * (rounded up): bench/calibrate.ts measured ~7 ns a call of 16 bytes (0.25 ns/gas), and
   * ~0.018 ns a byte copied and ~0.009 filled (0.28 and 0.14 ns/gas at one gas per 16 bytes).
   */
  MEMORY_BULK: 10,
  MEMORY_BULK_WORD: 1,
  /** Every host function call, on top of its own cost (one that touches wasm memory takes ~160 ns). */
  HOST_CALL: 300,
  /** Each byte copied between the host and wasm memory. */
  BYTE: 1,
  /**
   * Writing an address into wasm memory (`caller`, `self_address`): decoding the frame's
   * address, ~100 ns more than a host call returning a number (bench/calibrate.ts "caller":
   * 118-126 ns for 316 gas, 2.2-2.4x the median, before this price).
   */
  ADDRESS_WRITE: 300,
  /** A storage or balance read (`storage_get`, `storage_has`, `balance`), warm or cold. */
  STORAGE_READ: 2_000,
  /**
   * The first read of a key in a transaction (EIP-2929's cold access; `hostFunctions.ts`
   * `warmed`, `TxState.warmKey`), on top of STORAGE_READ: the key's text built and
   * interned, looked up in the store, and the garbage it leaves. `bench/calibrate.ts
   * --only distinct` (the most distinct keys one transaction names), before this price
   * (load ~38, median 0.198 ns/gas): storage_get 1.3 µs a key, 3.0x the median; balance
   * 3.8 µs, 9.4x. After (load ~44-55, median 0.150): 1.63x and 2.14x. A second read of a
   * key costs no more than any host call. Keys a storage write named are warm. Warmth lasts the transaction: not
   * reset by a frame's revert, never carried to another transaction or incarnation.
   */
  COLD_KEY: 5_000,
  /**
   * A `balance` read of an account no host call of the transaction named before, instead
   * of COLD_KEY: the address is read from memory into an interned string and its balance
   * key built (two tables, `vm/memoryAccess.ts`'s and `state/keys.ts`'s), 2.6-3x a cold storage
   * read's time in the same runs.
   */
  COLD_ACCOUNT: 10_000,
  /**
   * Each byte of the key a storage read names (`storage_get`, `storage_has`), instead of
   * BYTE. A read of a key not read before builds its key text (twice the bytes, in hex),
   * interns it and hashes it in every map it goes through (the slot table, the
   * transaction's reads, the store, the engine's key table): `bench/calibrate.ts`,
   * "storage_has key (new keys)", 4.4-4.7 ns a key byte (load ~7-20; median 0.124 ns/gas),
   * 37x the median at 1 gas a byte. One 298M-gas transaction read 130,000 distinct 256-byte
   * keys: 4.7 s sequentially, and 72 MB of key text overflowed the parallel engine's key
   * table. At 20, ~0.23 ns/gas (1.9x the median); a block's key text is bounded by it
   * (`chain/keyRoom.ts`).
   */
  STORAGE_KEY_BYTE: 20,
  /**
   * A storage write or delete: the journal, and the key's Merkle update when the block commits.
   * Session 16, quiet: "storage_set (new key) + Merkle" 18.3-19.8 µs a call, 0.33-0.35 ns/gas
   * at 40,000 (up to 3.05x the median); at 50,000 (66,025 gas a call) ~0.29-0.30 ns/gas, 2.6x.
   */
  STORAGE_WRITE: 50_000,
  /** Each byte of key and value written to storage: the state growth budget. */
  STORAGE_BYTE: 250,
  EVENT: 1_000,
  EVENT_TOPIC: 1_200,
  /**
   * Each byte a receipt keeps: event data and topics (32 bytes each), return and revert
   * data. Receipts are stored for good, and per-transaction caps bound them
   * (`MAX_TX_EVENT_BYTES`, `MAX_RETURN_BYTES` in limits.ts).
   */
  RECEIPT_BYTE: 16,
  /** A native coin transfer from a contract: two balance writes (a new one grows the state). */
  TRANSFER: 40_000,
  /** A hash call (sha256 or keccak256), on top of its words. */
  HASH: 3_000,
  /** Each 32-byte word hashed by sha256 (and by the signature checks, for their message). */
  SHA256_WORD: 50,
  /** Each 32-byte word hashed by keccak256 (about 3.3 ns per byte). */
  KECCAK_WORD: 250,
  /**
   * Signature checks, priced at ~2x the median ns/gas on a quiet machine
   * (`node dist/bench/calibrate.js --rounds 7`, load ~1-3, median 0.163-0.199 ns/gas):
   * ed25519 110-142 µs, P-256 69-70 µs (node:crypto), secp256k1 recovery 62 µs with
   * libsecp256k1 (`codec/secp256k1Native.ts`; @noble/curves, the fallback when the addon is
   * missing, takes 1.4-2.0 ms), BLS 1.0-1.2 ms. At the earlier prices (200,000, 120,000,
   * 2,700,000 in JavaScript, 2,400,000) they ran 3.1-3.5x the quiet median.
   */
  ED25519_VERIFY: 350_000,
  /**
   * Each 32-byte word of an ed25519-signed message: hashed by SHA-512 inside the check and
   * again for the verified-signature record (a 128 KiB message at SHA256_WORD ran 3.5x the
   * median ns/gas; 356 µs a check on a quiet machine, ~0.29 ns/gas at this price).
   */
  ED25519_WORD: 250,
  P256_VERIFY: 220_000,
  SECP256K1_RECOVER: 200_000,
  /**
   * A BLS12-381 verification (two pairings, subgroup checks; `@chainsafe/blst`): 7-12x an
   * ed25519 verification measured side by side on this machine (about 11x its price). Used for
   * validators' proofs of possession, not per transaction.
   */
  BLS_VERIFY: 4_000_000,
  /**
   * Starting a contract call: a warm one, whose instance the pool holds (with MEMORY_PAGE
   * for its memory; a first call of the contract in the transaction adds COLD_CALL).
   */
  CALL: 8_000,
  /**
   * A nested call or create that does not succeed (no such method, an invalid method name,
   * a revert, a trap, out of gas), charged to the caller on top of CALL: the failure path
   * (V8 builds an error for a trap, the frame's writes are undone, the revert data is
   * encoded) took 9-22 µs a call where CALL's 3,000 gas paid ~1 µs (an attacker's loop of
   * failing calls ran 11-77x the median ns/gas). A trapping callee, the dearest, measured
   * 11.3 µs a call on a quiet machine: at 43,000 gas in all, ~0.26 ns/gas.
   */
  CALL_FAILED: 40_000,
  /**
   * The first frame of a contract in a transaction (EIP-2929's cold access; `coldCallGas`
   * in `callContract.ts`), on top of CALL: an instance made for it when the pool holds
   * none (an attacker cycling through many contracts makes every first call miss): a new
   * memory, the instance and the garbage they leave. The pool then keeps the instance
   * until the transaction ends, so later frames of the contract in it pay CALL alone.
   * `bench/calibrate.ts`, "call, cold then warm": 1,000 one-page contracts, each called
   * twice in one transaction, took 175-244 µs CPU a contract on the loaded 2-core VM
   * (load average ~20), ~0.49 ns/gas at these prices (2x the median); on 22a5829, with
   * one flat call price, 300 contracts ran at 5.5-9.6 ns/gas (load average ~1).
   */
  COLD_CALL: 200_000,
  /**
   * Each byte of the cold contract's code: the first instance of a module in a process
   * takes longer for bigger code ("first call after a restart (per code byte)": 0.6-1.5 ns
   * a byte). Instantiating a module again does not (-0.2 to 0.2 ns a byte).
   */
  COLD_CODE_BYTE: 4,
  /**
   * Each initial 64 KiB page of the cold contract's memory: a fresh memory's pages are
   * faulted in when it is first cleaned (16 page faults, the largest part of a cold call's
   * time on this VM). `limits.ts`'s MAX_TX_CONTRACT_PAGES bounds what a transaction pins.
   */
  COLD_PAGE: 150_000,
  /**
   * Each mutable global the frame's contract declares, on every frame: the dispatcher resets
   * or restores every mutable global before the method runs (`wasm/dispatcher.ts`), and a
   * cold frame's instance allocates them. `bench/calibrate.ts --only shape` (1,023 globals
   * against none, load average ~30): a warm frame 1.0-4.2 ns a global (before: no gas,
   * free), a cold one 23.7-33 ns (before: only the 23.8 gas of their code bytes, 4-6x the
   * median). One price for both, set by the cold frame (warm frames are overpriced).
   * Session 15's quiet run (median 0.121 ns/gas): 31.2 ns a global, 3.6x at 48; 2.7x at 72.
   */
  FRAME_GLOBAL: 72,
  /** Every transaction pays this before anything runs. */
  TX_BASE: 5_000,
  /**
   * A plain transfer transaction (kind "transfer"), on top of TX_BASE: its address checks,
   * the sender's and recipient's balances read, decoded and written, and the fee. At
   * TX_BASE alone it ran 2.4-3.3x the median ns/gas in quiet calibrations (1.9 µs for
   * 5,000 gas: `node dist/bench/calibrate.js --only tx`); its own time is the price now
   * (the other kinds pay for their work in the VM: calls, deployments, signatures).
   */
  TRANSFER_TX: 5_000,
  /** Each byte of transaction payload (arguments, code). */
  TX_BYTE: 4,
  /** A deployment (or a contract's `create` of stored code), on top of TX_BASE. */
  DEPLOY: 20_000,
  /**
   * The fixed cost of compiling one module, paid by each deployment of new code (a
   * deploy transaction or a smart account's `deploy`; not `create`, whose code is stored
   * and compiled already): every node compiles it then and again at each start
   * (`vm/moduleCache.ts`). Compiling a ~100-byte module took a median 490-615 µs CPU
   * with a start function (its snapshot probe, bounded by `vm/startSnapshot.ts`), ~200 µs
   * without, at 0.3 ns per gas (`bench/calibrate.ts`): 2M gas. The probe's worst case (a
   * start function that burns its gas, then recurses to the stack budget, twice) is in it:
   * `bench/deployCost.ts` measures every hostile shape against what it pays.
   */
  COMPILE_MODULE: 2_000_000,
  /**
   * Each page of initial memory a deployed module declares past the first (the first is
   * in `COMPILE_MODULE`): the start function's probe runs on fresh memory of that size,
   * scans it and copies what the start function left (`vm/startSnapshot.ts`), at deployment
   * and at every node start. Measured by `bench/deployCost.ts`.
   */
  DEPLOY_MEMORY_PAGE: 100_000,
  /**
   * Each function a deployed module defines: validating and instrumenting it costs 2.5-5 µs
   * CPU whatever its size (10,000 empty functions, 40 KB of code: 24-52 ms), which its
   * bytes alone paid ~2,000 gas for (3.7-5.2x the median ns/gas), and every node does it
   * again at each start. Measured by `bench/deployCost.ts`.
   */
  DEPLOY_FUNCTION: 10_000,
  /**
   * Each byte of deployed code: the state it adds (`STORAGE_BYTE`), and validating,
   * instrumenting and compiling it (~110 ns per byte, done at deployment).
   */
  DEPLOY_BYTE: 500,
} as const;
