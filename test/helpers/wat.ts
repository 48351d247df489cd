/** Compiles WebAssembly text fixtures (hand-written hostile modules) with wabt. */
import wabtInit from "wabt";

const wabt = await wabtInit();

export function wat(source: string): Uint8Array {
  const module = wabt.parseWat("fixture.wat", source, { mutable_globals: true, sign_extension: true });
  try {
    return new Uint8Array(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}
