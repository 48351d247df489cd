/**
 * A generator of random valid contract modules, for fuzzing the VM and the engine
 * (`test/unit/engine/fuzzParallel.test.ts`). Each program is WAT text built from a seed:
 *
 * - 2-6 functions, each taking a depth `$d` (i32) first, then 0-3 random i32/i64 params,
 *   with 0-4 locals and 0 or 1 result. Any function may call any other, itself included;
 *   every call is guarded by `$d > 0` and passes `$d - 1`, so recursion goes as deep as
 *   the transaction's input asks: into the stack budget, or out of gas.
 * - Bodies are typed expression trees and statements: integer arithmetic (division
 *   included, which traps on zero), comparisons, conversions, `select`, locals and
 *   globals, memory loads and stores (in range, or rarely out of range: a trap), loops
 *   with a bounded counter, `if`/`else`, blocks left by `br_if`, multi-value blocks, runs of values held on
 *   the operand stack across calls, `memory.grow`, and host calls: `storage_get` and
 *   `storage_set` on 8 one-byte keys (so transactions conflict), `emit`, and `call` to a
 *   peer contract.
 * - The method `run` reads `[peer address: 20][depth: i32][seed: i32]` from its input,
 *   calls the first function, and stores and returns what it computed.
 *
 * Memory map: 0..4095 data the program reads and writes, 4096 input, 4160 key, 4200 the
 * method name "run", 4224 the peer's input (a zero address: the peer cannot call on),
 * 4256 a zero value (16 bytes).
 */
import { type Address, addressToBytes } from "../../src/codec/address.js";
import { seededRandom } from "../../src/sdk/bots/series.js";

type Ty = "i32" | "i64";

interface Fn {
  params: Ty[];
  result: Ty | undefined;
  locals: Ty[];
}

/** Deterministic 32-bit generator (mulberry32): the one the bots' series use. */
export const fuzzRng = seededRandom;

class ProgramGenerator {
  private readonly fns: Fn[] = [];
  private cur: Fn = { params: [], result: undefined, locals: [] };
  /** Extra i32 locals of the current function for loop counters. */
  private counters = 0;
  private readonly rand: () => number;

  constructor(seed: number) {
    this.rand = fuzzRng(seed);
  }

  private int(n: number): number {
    return Math.floor(this.rand() * n);
  }
  private chance(p: number): boolean {
    return this.rand() < p;
  }
  private ty(): Ty {
    return this.chance(0.5) ? "i32" : "i64";
  }
  private pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }

  module(): string {
    const count = 2 + this.int(5);
    for (let i = 0; i < count; i++) {
      const params = Array.from({ length: this.int(4) }, () => this.ty());
      const locals = Array.from({ length: this.int(5) }, () => this.ty());
      this.fns.push({ params, result: this.chance(0.6) ? this.ty() : undefined, locals });
    }
    const bodies = this.fns.map((fn, i) => this.func(fn, i));
    const first = this.fns[0] as Fn;
    const args = first.params.map((t) => `(${t}.const ${this.int(1000)})`).join(" ");
    const call = `(call $f0 (i32.load (i32.const 4116)) ${args})`;
    const keep = first.result === undefined ? call : `(${first.result}.store (i32.const 8) ${call})`;
    return `(module
  (import "weft" "input_size" (func $input_size (result i32)))
  (import "weft" "input_copy" (func $input_copy (param i32)))
  (import "weft" "storage_get" (func $storage_get (param i32 i32 i32 i32) (result i32)))
  (import "weft" "storage_set" (func $storage_set (param i32 i32 i32 i32)))
  (import "weft" "emit" (func $emit (param i32 i32 i32 i32)))
  (import "weft" "set_return" (func $set_return (param i32 i32)))
  (import "weft" "call" (func $call (param i32 i32 i32 i32 i32 i32 i64) (result i32)))
  (memory (export "memory") 1 2)
  (global $g0 (mut i32) (i32.const 7))
  (global $g1 (mut i64) (i64.const 11))
  (data (i32.const 4200) "run")
  ${bodies.join("\n  ")}
  (func (export "run")
    (if (i32.ne (call $input_size) (i32.const 28)) (then unreachable))
    (call $input_copy (i32.const 4096))
    (i64.store (i32.const 0) (i64.extend_i32_u (i32.load (i32.const 4120))))
    ${keep}
    (i32.store8 (i32.const 4160) (i32.const 255))
    (call $storage_set (i32.const 4160) (i32.const 1) (i32.const 0) (i32.const 16))
    (call $set_return (i32.const 0) (i32.const 32))))`;
  }

  private func(fn: Fn, index: number): string {
    this.cur = fn;
    this.counters = 0;
    const stmts = this.stmts(3 + this.int(5), 3);
    const tail = fn.result === undefined ? "" : this.expr(fn.result, 3);
    const params = fn.params.length > 0 ? ` (param ${fn.params.join(" ")})` : "";
    const allLocals = [...fn.locals, ...Array.from({ length: this.counters }, () => "i32")];
    const locals = allLocals.length > 0 ? ` (local ${allLocals.join(" ")})` : "";
    const result = fn.result === undefined ? "" : ` (result ${fn.result})`;
    return `(func $f${index} (param $d i32)${params}${result}${locals}
    ${stmts}
    ${tail})`;
  }

  /** Index of a param (after `$d`) or local of type `t`, if there is one. */
  private local(t: Ty): number | undefined {
    const all = [...this.cur.params, ...this.cur.locals];
    const matching = all.map((ty, i) => (ty === t ? i + 1 : -1)).filter((i) => i > 0);
    return matching.length === 0 ? undefined : this.pick(matching);
  }

  private address(): string {
    if (this.chance(0.02)) return `(i32.const ${65536 * 2 + this.int(100)})`; // past the memory: a trap
    return `(i32.and ${this.expr("i32", 1)} (i32.const 4088))`;
  }

  /** A guarded call of a random function returning `t` (or nothing), if there is one. */
  private call(t: Ty | undefined, depth: number): string | undefined {
    const candidates = this.fns.map((f, i) => [f, i] as const).filter(([f]) => f.result === t);
    if (candidates.length === 0) return undefined;
    const [f, i] = this.pick(candidates);
    const args = f.params.map((p) => this.expr(p, depth - 1)).join(" ");
    const call = `(call $f${i} (i32.sub (local.get $d) (i32.const 1)) ${args})`;
    const guard = "(i32.gt_s (local.get $d) (i32.const 0))";
    if (t === undefined) return `(if ${guard} (then ${call}))`;
    return `(if (result ${t}) ${guard} (then ${call}) (else (${t}.const ${this.int(50)})))`;
  }

  private leaf(t: Ty): string {
    const k = this.int(4);
    if (k === 0) {
      const l = this.local(t);
      if (l !== undefined) return `(local.get ${l})`;
    }
    if (k === 1) return t === "i32" ? "(global.get $g0)" : "(global.get $g1)";
    if (k === 2 && t === "i32") return "(local.get $d)";
    if (this.chance(0.2)) return t === "i32" ? "(i32.const -2147483648)" : "(i64.const -9223372036854775808)";
    return `(${t}.const ${this.int(200) - 20})`;
  }

  private expr(t: Ty, depth: number): string {
    if (depth <= 0 || this.chance(0.25)) return this.leaf(t);
    const d = depth - 1;
    switch (this.int(9)) {
      case 0:
      case 1: {
        const op = this.pick(["add", "sub", "mul", "and", "or", "xor", "shl", "shr_s", "shr_u", "rotl"]);
        return `(${t}.${op} ${this.expr(t, d)} ${this.expr(t, d)})`;
      }
      case 2: {
        const op = this.pick(["div_s", "div_u", "rem_s", "rem_u"]);
        return `(${t}.${op} ${this.expr(t, d)} ${this.expr(t, d)})`;
      }
      case 3: {
        if (t === "i64")
          return `(${this.pick(["i64.extend_i32_s", "i64.extend_i32_u"])} ${this.expr("i32", d)})`;
        const u = this.ty();
        if (this.chance(0.2)) return `(${u}.eqz ${this.expr(u, d)})`;
        const op = this.pick(["eq", "ne", "lt_s", "gt_u", "le_s", "ge_u"]);
        return `(${u}.${op} ${this.expr(u, d)} ${this.expr(u, d)})`;
      }
      case 4:
        if (t === "i32") return `(i32.wrap_i64 ${this.expr("i64", d)})`;
        return `(${this.pick(["i64.clz", "i64.ctz", "i64.popcnt", "i64.extend8_s"])} ${this.expr("i64", d)})`;
      case 5:
        return `(select ${this.expr(t, d)} ${this.expr(t, d)} ${this.expr("i32", d)})`;
      case 6: {
        const loads =
          t === "i32" ? ["i32.load", "i32.load8_u", "i32.load16_s"] : ["i64.load", "i64.load32_u"];
        return `(${this.pick(loads)} ${this.address()})`;
      }
      case 7:
        return this.call(t, depth) ?? this.leaf(t);
      default: {
        if (t === "i64") return `(i64.add ${this.expr(t, d)} (i64.const 1))`;
        const dst = `(i32.and ${this.expr("i32", d)} (i32.const 4000))`;
        return `(call $storage_get ${this.key(d)} (i32.const 1) ${dst} (i32.const 16))`;
      }
    }
  }

  /** Points the one-byte key at 4160 to one of 8 keys; returns its pointer. */
  private key(depth: number): string {
    const k = `(i32.and ${this.expr("i32", depth)} (i32.const 7))`;
    return `(block (result i32) (i32.store8 (i32.const 4160) ${k}) (i32.const 4160))`;
  }

  private stmts(count: number, depth: number): string {
    return Array.from({ length: count }, () => this.stmt(depth)).join("\n    ");
  }

  private stmt(depth: number): string {
    const d = depth - 1;
    switch (depth <= 0 ? this.int(4) : this.int(15)) {
      case 0: {
        const t = this.ty();
        const l = this.local(t);
        return l === undefined ? `(drop ${this.expr(t, 2)})` : `(local.set ${l} ${this.expr(t, 2)})`;
      }
      case 1:
        return this.chance(0.5)
          ? `(global.set $g0 ${this.expr("i32", 2)})`
          : `(global.set $g1 ${this.expr("i64", 2)})`;
      case 2: {
        const t = this.ty();
        const store =
          t === "i32" ? this.pick(["i32.store", "i32.store8"]) : this.pick(["i64.store", "i64.store16"]);
        return `(${store} ${this.address()} ${this.expr(t, 2)})`;
      }
      case 3: {
        const value = `(i32.and ${this.expr("i32", 1)} (i32.const 4000))`;
        return `(call $storage_set ${this.key(1)} (i32.const 1) ${value} (i32.const ${1 + this.int(16)}))`;
      }
      case 4:
        return `(if ${this.expr("i32", 2)} (then ${this.stmts(1 + this.int(3), d)}) (else ${this.stmts(this.int(3), d)}))`;
      case 5: {
        this.counters++;
        const c = this.cur.params.length + this.cur.locals.length + this.counters;
        const body = this.stmts(1 + this.int(2), d);
        const next = `(local.tee ${c} (i32.sub (local.get ${c}) (i32.const 1)))`;
        return `(local.set ${c} (i32.const ${1 + this.int(6)}))
    (loop ${body} (br_if 0 (i32.gt_s ${next} (i32.const 0))))`;
      }
      case 6:
        return `(block ${this.stmts(1, d)} (br_if 0 ${this.expr("i32", 1)}) ${this.stmts(1, d)})`;
      case 7:
        return this.call(undefined, depth) ?? `(drop ${this.call("i32", depth) ?? "(i32.const 0)"})`;
      case 8: {
        const t = this.ty();
        return `(drop ${this.call(t, depth) ?? `(${t}.const 0)`})`;
      }
      case 9: {
        // A run of values held on the operand stack across a nested call.
        const n = 1 + this.int(this.chance(0.1) ? 200 : 20);
        const pushes = Array.from({ length: n }, (_, i) => `(i64.const ${i})`).join(" ");
        const drops = Array.from({ length: n }, () => "drop").join(" ");
        return `${pushes} ${this.call(undefined, depth) ?? "(nop)"} ${drops}`;
      }
      case 10: {
        const data = `(i32.and ${this.expr("i32", 1)} (i32.const 2000))`;
        return `(call $emit (i32.const 0) (i32.const ${this.int(3)}) ${data} (i32.const ${this.int(64)}))`;
      }
      case 11: {
        // The peer's run with [zero address][depth][seed]: it cannot call on.
        const gas = this.chance(0.5) ? 0 : 20_000 + this.int(200_000);
        return `(i64.store (i32.const 4244) (i64.extend_i32_u (local.get $d)))
    (drop (call $call (i32.const 4096) (i32.const 4200) (i32.const 3) (i32.const 4224) (i32.const 28) (i32.const 4256) (i64.const ${gas})))`;
      }
      case 12:
        return this.chance(0.1) ? "(drop (memory.grow (i32.const 1)))" : "(nop)";
      case 13: {
        // Multi-value: a block taking two values, an if giving two back.
        const a = this.expr("i64", 1);
        const b = this.expr("i64", 1);
        const sum = `${a} ${b} (block (param i64 i64) (result i64) (i64.add)) (drop)`;
        const pair = `(if (result i64 i32) ${this.expr("i32", 1)} (then (i64.const 1) (i32.const 2)) (else (i64.const 3) (i32.const 4))) (drop) (drop)`;
        return `${sum}\n    ${pair}`;
      }
      default:
        return this.chance(0.05)
          ? "(if (i32.eq (global.get $g0) (i32.const 12345)) (then unreachable))"
          : "(nop)";
    }
  }
}

/** The WAT text of the random contract of `seed`. */
export function fuzzProgram(seed: number): string {
  return new ProgramGenerator(seed).module();
}

/** The input of `run`: the peer to call, the recursion depth and a seed. */
export function fuzzInput(peer: Address, depth: number, seed: number): Uint8Array {
  const out = new Uint8Array(28);
  out.set(addressToBytes(peer), 0);
  const view = new DataView(out.buffer);
  view.setInt32(20, depth, true);
  view.setInt32(24, seed, true);
  return out;
}
