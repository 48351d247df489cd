/**
 * The probe contracts of `bench/calibrate.ts`: one WebAssembly module per measured cost,
 * each a loop that repeats one operation, and the list of what each row measures.
 *
 * Every probe is the same module around a different loop body. Its method `run` copies
 * the call's input to address 0 and reads three numbers from it: `n` (iterations), `len`
 * (a byte count the body may use) and `aux`; then runs `pre` once and `body` `n` times.
 * Fixed addresses: input at 0 (a 20-byte address at 16, the u128 1 at 36, keys from 64,
 * signatures from 160, the signed message at 256), scratch at 1024 (keys, salts; zeros
 * from 1100), method names at 2048, a 64 KiB data region at 65536.
 */
import wabtInit from "wabt";

const wabt = await wabtInit();

/** Compiles WebAssembly text to a binary (wabt). */
export function wat(source: string): Uint8Array {
  const module = wabt.parseWat("probe.wat", source, {
    mutable_globals: true,
    sign_extension: true,
    bulk_memory: true,
  });
  try {
    return new Uint8Array(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

const IMPORTS = `
  (import "weft" "input_size" (func $input_size (result i32)))
  (import "weft" "input_copy" (func $input_copy (param i32)))
  (import "weft" "set_return" (func $set_return (param i32 i32)))
  (import "weft" "revert" (func $revert (param i32 i32)))
  (import "weft" "storage_get" (func $storage_get (param i32 i32 i32 i32) (result i32)))
  (import "weft" "storage_has" (func $storage_has (param i32 i32) (result i32)))
  (import "weft" "storage_set" (func $storage_set (param i32 i32 i32 i32)))
  (import "weft" "storage_delete" (func $storage_delete (param i32 i32)))
  (import "weft" "storage_add" (func $storage_add (param i32 i32 i32 i32) (result i32)))
  (import "weft" "caller" (func $caller (param i32)))
  (import "weft" "block_height" (func $block_height (result i64)))
  (import "weft" "gas_left" (func $gas_left (result i64)))
  (import "weft" "emit" (func $emit (param i32 i32 i32 i32)))
  (import "weft" "balance" (func $balance (param i32 i32)))
  (import "weft" "transfer" (func $transfer (param i32 i32) (result i32)))
  (import "weft" "call" (func $call (param i32 i32 i32 i32 i32 i32 i64) (result i32)))
  (import "weft" "create" (func $create (param i32 i32 i32 i32 i32 i64 i32) (result i32)))
  (import "weft" "returndata_size" (func $returndata_size (result i32)))
  (import "weft" "returndata_copy" (func $returndata_copy (param i32)))
  (import "weft" "sha256" (func $sha256 (param i32 i32 i32)))
  (import "weft" "keccak256" (func $keccak256 (param i32 i32 i32)))
  (import "weft" "ed25519_verify" (func $ed25519_verify (param i32 i32 i32 i32) (result i32)))
  (import "weft" "secp256k1_recover" (func $secp256k1_recover (param i32 i32 i32) (result i32)))
  (import "weft" "p256_verify" (func $p256_verify (param i32 i32 i32 i32) (result i32)))
  (import "weft" "bls_verify" (func $bls_verify (param i32 i32 i32 i32) (result i32)))`;

/** The probe module with `body` in its loop; `filler` extra functions make the code bigger. */
export function probeModule(pre: string, body: string, filler = 0, salt = 0): Uint8Array {
  const fillers: string[] = [];
  for (let f = 0; f < filler; f++) {
    // About 100 bytes of code each, all different (the constants), so no two modules match.
    const ops: string[] = [];
    for (let k = 0; k < 12; k++)
      ops.push(`(local.set $a (i32.xor (local.get $a) (i32.const ${salt * 1_000_003 + f * 31 + k})))`);
    fillers.push(`(func $fill${f} (param $a i32) (result i32) ${ops.join(" ")} (local.get $a))`);
  }
  return wat(`(module ${IMPORTS}
  (type $v (func))
  (memory (export "memory") 3)
  (table 2 funcref)
  (elem (i32.const 0) $empty $empty)
  (global $g (mut i32) (i32.const 0))
  (data (i32.const 2048) "noop")
  (func $empty)
  ${fillers.join("\n  ")}
  (func (export "noop"))
  (func (export "run")
    (local $i i32) (local $n i32) (local $len i32) (local $aux i32) (local $x i32) (local $y i64)
    (call $input_copy (i32.const 0))
    (local.set $n (i32.load (i32.const 0)))
    (local.set $len (i32.load (i32.const 4)))
    (local.set $aux (i32.load (i32.const 8)))
    (local.set $x (i32.const 12345))
    (local.set $y (i64.const 987654321))
    ${pre}
    (local.set $i (local.get $n))
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $i)))
        ${body}
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (br $l)))
    (i32.store (i32.const 1200) (local.get $x)) (i64.store (i32.const 1208) (local.get $y))))`);
}

const times = (k: number, s: string): string => Array.from({ length: k }, () => s).join(" ");

/** How a row varies its workload: the loop count, or the byte count with a fixed loop count. */
export type Vary = { by: "n"; n: [number, number] } | { by: "len"; n: number; len: [number, number] };

export interface ProbeRow {
  name: string;
  /** instruction | host | byte | tx: the table groups rows by it. */
  group: "instruction" | "host" | "byte" | "tx";
  /** What one unit of the row is: "op" (one loop iteration's operation), "byte", "page". */
  unit: string;
  pre?: string;
  body: string;
  vary: Vary;
  /** Subtract the empty loop (same n) from time and gas: the row is the body alone. */
  baseline?: boolean;
  /** Also time a Merkle update of the transaction's writes (what committing them costs). */
  commit?: boolean;
  /** The row needs the callee's address at 16 / signatures from 64 / coin in the probe. */
  needs?: "callee" | "ed25519" | "secp256k1" | "p256" | "bls" | "coin";
  /** The input carries `len` more bytes (for input_copy). */
  inputBytes?: boolean;
  /**
   * Priced by a budget other than time (state growth, receipt bytes, or a Merkle update
   * measured by its own "+ Merkle" row): shown, but not part of the median.
   */
  budget?: boolean;
  /**
   * Part of the cost comes later (memories dropped to the garbage collector): time the
   * median of the rounds, not the fastest.
   */
  amortized?: boolean;
}

const KEY = "(i32.const 1024) (i32.const 32)";
const VALUE32 = "(i32.const 65536) (i32.const 32)";
/** Makes the key at 1024 unique per iteration (state growth). */
const UNIQUE_KEY =
  "(i32.store (i32.const 1024) (local.get $i)) (i32.store (i32.const 1028) (local.get $aux))";

export const EMPTY_LOOP: ProbeRow = {
  name: "loop + branch (empty loop)",
  group: "instruction",
  unit: "iteration",
  body: "",
  vary: { by: "n", n: [200_000, 2_000_000] },
};

const op = (name: string, body: string, k = 8, n: [number, number] = [100_000, 1_000_000]): ProbeRow => ({
  name,
  group: "instruction",
  unit: `${k} ops`,
  body: times(k, body),
  vary: { by: "n", n },
  baseline: true,
});

const host = (
  name: string,
  body: string,
  n: [number, number] = [2_000, 20_000],
  extra: Partial<ProbeRow> = {},
): ProbeRow => ({
  name,
  group: "host",
  unit: "call",
  body,
  vary: { by: "n", n },
  baseline: true,
  ...extra,
});

const perByte = (
  name: string,
  body: string,
  n: number,
  len: [number, number],
  extra: Partial<ProbeRow> = {},
): ProbeRow => ({
  name,
  group: "byte",
  unit: "byte",
  body,
  vary: { by: "len", n, len },
  ...extra,
});

/**
 * Rows priced above their time on purpose: storage writes, adds and deletes carry the key's
 * Merkle update (timed by "storage_set (new key) + Merkle") and the state growth budget;
 * `transfer` two balance writes; event and return bytes the receipt budget.
 */
const BUDGET_ROWS = new Set([
  "storage_set (same key)",
  "storage_set (new key)",
  "storage_delete",
  "storage_add (same key)",
  "storage_add (new keys)",
  "emit (4 topics, 32 B)",
  "transfer (1 unit)",
  "set_return",
  "storage_set value (same key)",
  "storage_set value (new keys)",
  "emit data",
]);

const ROWS: ProbeRow[] = [
  EMPTY_LOOP,
  op(
    "i32 arithmetic",
    "(local.set $x (i32.xor (i32.mul (local.get $x) (local.get $i)) (i32.shr_u (local.get $x) (i32.const 3))))",
  ),
  op(
    "i64 arithmetic",
    "(local.set $y (i64.xor (i64.mul (local.get $y) (i64.extend_i32_u (local.get $i))) (i64.shr_u (local.get $y) (i64.const 3))))",
  ),
  op(
    "i64 division",
    "(local.set $y (i64.add (i64.div_u (i64.const 0x7fffffffffffff) (i64.or (local.get $y) (i64.const 1))) (i64.const 12345)))",
  ),
  op(
    "memory load/store",
    "(i32.store (i32.and (local.get $x) (i32.const 0xfffc)) (i32.add (i32.load (i32.const 64)) (local.get $i)))",
  ),
  op("globals", "(global.set $g (i32.add (global.get $g) (i32.const 1)))"),
  op("block + br", "(block (br 0))"),
  op(
    "if/else",
    "(if (local.get $i) (then (local.set $x (i32.const 1))) (else (local.set $x (i32.const 2))))",
  ),
  op("function call", "(call $empty)"),
  op("call_indirect", "(call_indirect (type $v) (i32.const 1))"),
  op("br_table", "(block (block (br_table 0 1 (i32.and (local.get $i) (i32.const 1)))))"),
  op("memory.copy (16 B)", "(memory.copy (i32.const 1024) (i32.const 65536) (i32.const 16))"),
  op("memory.fill (16 B)", "(memory.fill (i32.const 1024) (local.get $i) (i32.const 16))"),
  {
    name: "memory.grow",
    group: "instruction",
    unit: "page",
    body: "(drop (memory.grow (i32.const 1)))",
    vary: { by: "n", n: [0, 60] },
    amortized: true,
  },
  host("caller", "(call $caller (i32.const 1024))"),
  host("block_height", "(drop (call $block_height))"),
  host("gas_left", "(drop (call $gas_left))"),
  host("input_size", "(drop (call $input_size))"),
  host(
    "storage_get (present, 32 B)",
    `(drop (call $storage_get ${KEY} (i32.const 65536) (i32.const 32)))`,
    undefined,
    {
      pre: `(call $storage_set ${KEY} ${VALUE32})`,
    },
  ),
  host("storage_get (absent)", `(drop (call $storage_get ${KEY} (i32.const 65536) (i32.const 32)))`),
  host("storage_has", `(drop (call $storage_has ${KEY}))`),
  host("storage_has (new keys, 32 B)", `${UNIQUE_KEY} (drop (call $storage_has ${KEY}))`),
  host("storage_set (same key)", `(call $storage_set ${KEY} ${VALUE32})`),
  host("storage_set (new key)", `${UNIQUE_KEY} (call $storage_set ${KEY} ${VALUE32})`),
  host(
    "storage_set (new key) + Merkle",
    `${UNIQUE_KEY} (call $storage_set ${KEY} ${VALUE32})`,
    [200, 2_000],
    {
      commit: true,
    },
  ),
  host("storage_delete", `(call $storage_delete ${KEY})`),
  host(
    "storage_add (same key)",
    `(drop (call $storage_add ${KEY} (i32.const 3000) (i32.const 0)))`,
    undefined,
    {
      pre: "(i32.store (i32.const 3000) (i32.const 7))",
    },
  ),
  host(
    "storage_add (new keys)",
    `${UNIQUE_KEY} (drop (call $storage_add ${KEY} (i32.const 3000) (i32.const 0)))`,
    undefined,
    { pre: "(i32.store (i32.const 3000) (i32.const 7))" },
  ),
  host(
    "emit (no topics, no data)",
    "(call $emit (i32.const 0) (i32.const 0) (i32.const 65536) (i32.const 0))",
  ),
  host("emit (4 topics, 32 B)", "(call $emit (i32.const 64) (i32.const 4) (i32.const 65536) (i32.const 32))"),
  host("balance", "(call $balance (i32.const 16) (i32.const 1024))"),
  host("transfer (1 unit)", "(drop (call $transfer (i32.const 16) (i32.const 36)))", undefined, {
    needs: "coin",
  }),
  host(
    "call (empty method)",
    "(drop (call $call (i32.const 16) (i32.const 2048) (i32.const 4) (i32.const 0) (i32.const 0) (i32.const 1100) (i64.const 0)))",
    [100, 1_000],
    { needs: "callee" },
  ),
  host("returndata_size", "(drop (call $returndata_size))"),
  host("sha256 (32 B)", "(call $sha256 (i32.const 65536) (i32.const 32) (i32.const 1024))"),
  host("keccak256 (32 B)", "(call $keccak256 (i32.const 65536) (i32.const 32) (i32.const 1024))"),
  host(
    "ed25519_verify",
    "(drop (call $ed25519_verify (i32.const 64) (i32.const 256) (i32.const 32) (i32.const 160)))",
    [10, 100],
    { needs: "ed25519" },
  ),
  host(
    "secp256k1_recover",
    "(drop (call $secp256k1_recover (i32.const 256) (i32.const 160) (i32.const 1024)))",
    [2, 12],
    {
      needs: "secp256k1",
    },
  ),
  host(
    "p256_verify",
    "(drop (call $p256_verify (i32.const 64) (i32.const 256) (i32.const 32) (i32.const 160)))",
    [10, 100],
    {
      needs: "p256",
    },
  ),
  host(
    "bls_verify",
    "(drop (call $bls_verify (i32.const 64) (i32.const 256) (i32.const 32) (i32.const 160)))",
    [1, 6],
    { needs: "bls" },
  ),
  perByte(
    "memory.copy",
    "(memory.copy (i32.const 65536) (i32.const 98304) (local.get $len))",
    2_000,
    [0, 32_768],
  ),
  perByte(
    "memory.fill",
    "(memory.fill (i32.const 65536) (local.get $i) (local.get $len))",
    2_000,
    [0, 65_536],
  ),
  perByte("input_copy", "(call $input_copy (i32.const 65536))", 200, [0, 32_768], { inputBytes: true }),
  perByte("set_return", "(call $set_return (i32.const 65536) (local.get $len))", 500, [0, 65_536]),
  perByte(
    "storage_get value",
    `(drop (call $storage_get ${KEY} (i32.const 65536) (local.get $len)))`,
    500,
    [32, 65_536],
    {
      pre: `(call $storage_set ${KEY} (i32.const 65536) (local.get $len))`,
    },
  ),
  perByte(
    "storage_has key (new keys)",
    `${UNIQUE_KEY} (drop (call $storage_has (i32.const 1024) (local.get $len)))`,
    5_000,
    [32, 256],
  ),
  perByte(
    "storage_set value (same key)",
    `(call $storage_set ${KEY} (i32.const 65536) (local.get $len))`,
    500,
    [32, 65_536],
  ),
  perByte(
    "storage_set value (new keys)",
    `${UNIQUE_KEY} (call $storage_set ${KEY} (i32.const 65536) (local.get $len))`,
    50,
    [32, 16_384],
  ),
  perByte(
    "emit data",
    "(call $emit (i32.const 64) (i32.const 1) (i32.const 65536) (local.get $len))",
    200,
    [0, 16_384],
  ),
  perByte(
    "sha256 input",
    "(call $sha256 (i32.const 65536) (local.get $len) (i32.const 1024))",
    100,
    [0, 65_536],
  ),
  perByte(
    "keccak256 input",
    "(call $keccak256 (i32.const 65536) (local.get $len) (i32.const 1024))",
    100,
    [0, 65_536],
  ),
];

export const PROBE_ROWS: ProbeRow[] = ROWS.map((r) => (BUDGET_ROWS.has(r.name) ? { ...r, budget: true } : r));
