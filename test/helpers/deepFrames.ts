/**
 * Contracts whose call frames are deep, wide or both, for the stack budget's tests and
 * for `bench/stackMargin.ts`. Each is a hand-generated WAT module with one method, `run`,
 * whose raw input is `[address × k][depth: i32 LE]`:
 * - with addresses left, it calls `run` on the first one with the rest of the input
 *   (a chain of k nested contract calls), then stores the call's status under key "s";
 * - at the end of the chain it recurses `depth` times through a function of the chosen
 *   shape, then stores the depth under key "d".
 *
 * Shapes: `minimal` (no locals, nothing held), `wide` (`size` i64 values held on the
 * operand stack across the recursive call), `locals` (`size` i64 locals), `params`
 * (`size` i64 parameters passed on), `results` (`size` i64 results passed back up),
 * `mixed` (a quarter of wide, locals and params).
 */
import { type Address, addressToBytes } from "../../src/codec/address.js";
import { wat } from "./wat.js";

export type FrameShapeKind = "minimal" | "wide" | "locals" | "params" | "results" | "mixed";

export interface FrameShape {
  kind: FrameShapeKind;
  size: number;
}

const repeat = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join(" ");

/** The recursive function `$r (param $n i32) ...` of a shape. */
function recursiveFunction(shape: FrameShape): string {
  if (shape.kind === "results") {
    const results = `(result ${repeat(shape.size, () => "i64")})`;
    return `(func $r (param $n i32) ${results}
    (if ${results} (local.get $n)
      (then (call $r (i32.sub (local.get $n) (i32.const 1))))
      (else ${repeat(shape.size, (i) => `(i64.const ${i})`)})))`;
  }
  const n = shape.kind === "minimal" ? 0 : shape.kind === "mixed" ? Math.max(1, shape.size >> 2) : shape.size;
  const wide = shape.kind === "wide" || shape.kind === "mixed" ? n : 0;
  const locals = shape.kind === "locals" || shape.kind === "mixed" ? n : 0;
  const params = shape.kind === "params" || shape.kind === "mixed" ? n : 0;
  const paramDecl = params > 0 ? `(param ${repeat(params, () => "i64")})` : "";
  const localDecl = locals > 0 ? `(local ${repeat(locals, () => "i64")})` : "";
  const passParams = repeat(params, (i) => `(local.get ${i + 1})`);
  // Locals are written and read so that no compiler can drop them.
  const touch =
    locals > 0
      ? `(local.set ${params + 1} (i64.extend_i32_u (local.get 0)))
         (local.set ${params + locals} (i64.add (local.get ${params + 1}) (i64.const 1)))`
      : "";
  const keep = locals > 0 ? `(drop (local.get ${params + locals}))` : "";
  return `(func $r (param $n i32) ${paramDecl} ${localDecl}
    ${touch}
    ${repeat(wide, (i) => `(i64.const ${i + 1})`)}
    (if (local.get $n)
      (then (call $r (i32.sub (local.get $n) (i32.const 1)) ${passParams})))
    ${repeat(wide, () => "drop")}
    ${keep})`;
}

/** The contract module of one frame shape. */
export function deepFrameContract(shape: FrameShape): Uint8Array {
  return wat(`(module
  (import "weft" "input_size" (func $input_size (result i32)))
  (import "weft" "input_copy" (func $input_copy (param i32)))
  (import "weft" "storage_set" (func $storage_set (param i32 i32 i32 i32)))
  (import "weft" "call" (func $call (param i32 i32 i32 i32 i32 i32 i64) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 4096) "run")
  (data (i32.const 4112) "s")
  (data (i32.const 4128) "d")
  ${recursiveFunction(shape)}
  (func (export "run")
    (local $size i32)
    (local.set $size (call $input_size))
    (if (i32.gt_u (local.get $size) (i32.const 4000)) (then unreachable))
    (call $input_copy (i32.const 0))
    (if (i32.ge_u (local.get $size) (i32.const 24))
      (then
        (i32.store (i32.const 4200)
          (call $call (i32.const 0) (i32.const 4096) (i32.const 3) (i32.const 20)
            (i32.sub (local.get $size) (i32.const 20)) (i32.const 4160) (i64.const 0)))
        (call $storage_set (i32.const 4112) (i32.const 1) (i32.const 4200) (i32.const 4)))
      (else
        (call $r (i32.load (i32.const 0)) ${repeat(
          shape.kind === "params" ? shape.size : shape.kind === "mixed" ? Math.max(1, shape.size >> 2) : 0,
          (i) => `(i64.const ${i})`,
        )})
        ${shape.kind === "results" ? repeat(shape.size, () => "drop") : ""}
        (call $storage_set (i32.const 4128) (i32.const 1) (i32.const 0) (i32.const 4))))))`);
}

/** The raw input of `run`: the chain of contracts to go through, then the recursion depth. */
export function deepFrameInput(chain: readonly Address[], depth: number): Uint8Array {
  const out = new Uint8Array(chain.length * 20 + 4);
  chain.forEach((a, i) => {
    out.set(addressToBytes(a), i * 20);
  });
  new DataView(out.buffer).setInt32(chain.length * 20, depth, true);
  return out;
}

/** The shapes the tests and the margin benchmark run: every kind, small and large. */
export const FRAME_SHAPES: readonly FrameShape[] = [
  { kind: "minimal", size: 0 },
  { kind: "wide", size: 8 },
  { kind: "wide", size: 64 },
  { kind: "wide", size: 1000 },
  { kind: "locals", size: 64 },
  { kind: "locals", size: 1000 },
  { kind: "params", size: 64 },
  { kind: "params", size: 500 },
  { kind: "results", size: 64 },
  { kind: "results", size: 500 },
  { kind: "mixed", size: 400 },
];
