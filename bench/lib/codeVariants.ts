/**
 * Distinct copies of a real contract: the same code with `i32.const salt; drop` put at
 * the start of its first function, so each copy has its own code hash and its own
 * compiled module (nothing a cache or V8 could share), and behaves exactly like the
 * original. For benchmarks and tests of many deployed contracts of realistic shape.
 */
import { BinaryReader, BinaryWriter } from "../../src/vm/wasm/binary.js";
import { parseModule, SECTION } from "../../src/vm/wasm/parseModule.js";

/** `code` with a no-op carrying `salt` at the start of its first defined function. */
export function codeVariant(code: Uint8Array, salt: number): Uint8Array {
  const parsed = parseModule(code);
  const first = parsed.bodies[0];
  if (first === undefined) throw new Error("codeVariant: the module defines no function");
  const out = new BinaryWriter().bytes(code.subarray(0, 8));
  const r = new BinaryReader(code, 8);
  while (!r.done) {
    const id = r.u8();
    const size = r.u32();
    const body = r.take(size);
    if (id !== SECTION.code) {
      out.section(id, body);
      continue;
    }
    const bodies = parsed.bodies;
    const section = new BinaryWriter().u32(bodies.length);
    for (const [i, b] of bodies.entries()) {
      if (i === 0) {
        const patched = new BinaryWriter()
          .bytes(code.subarray(b.start, b.codeStart))
          .byte(0x41)
          .s32(salt)
          .byte(0x1a)
          .bytes(code.subarray(b.codeStart, b.end))
          .finish();
        section.u32(patched.length).bytes(patched);
      } else {
        section.u32(b.end - b.start).bytes(code.subarray(b.start, b.end));
      }
    }
    out.section(id, section.finish());
  }
  return out.finish();
}
