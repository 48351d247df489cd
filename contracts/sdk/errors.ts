/**
 * Reverting: `require(cond, message)` (reverts with `Error(string)`), typed errors
 * (`revertWith(name, args)`, used by the code the build generates from a contract's
 * `errors.ts`), and the AssemblyScript abort handler (bounds checks, assertions), which
 * reverts with `Panic(string)`. Revert data is an ABI string name followed by the args.
 */
import { AbiWriter } from "./abi";
import * as host from "./host";

/** Reverts the current call with `name` and already ABI-encoded `args`. */
export function revertWith(name: string, args: Uint8Array): void {
  const w = new AbiWriter();
  w.string(name);
  w.raw(args);
  const data = w.finish();
  host.revert(data.dataStart, data.length);
  unreachable();
}

/** Reverts with `Error(message)` unless `condition` holds. */
export function require(condition: bool, message: string): void {
  if (!condition) {
    const w = new AbiWriter();
    w.string(message);
    revertWith("Error", w.finish());
  }
}

/** Reverts with the raw revert data of a failed inner call (bubbling it up). */
export function revertRaw(data: Uint8Array): void {
  host.revert(data.dataStart, data.length);
  unreachable();
}

// The abort handler must not allocate (allocation itself can abort): it builds the
// revert data in a static buffer. Non-ASCII characters become "?".
const PANIC_BUFFER_BYTES = 512;
const panicBuffer = memory.data(PANIC_BUFFER_BYTES);

function putAscii(at: usize, text: string | null, end: usize): usize {
  if (text === null) return at;
  const n = text.length;
  for (let i = 0; i < n && at < end; i++) {
    const c = text.charCodeAt(i);
    store<u8>(at++, c < 0x80 ? <u8>c : 0x3f);
  }
  return at;
}

function putDecimal(at: usize, value: u32, end: usize): usize {
  let div: u32 = 1;
  while (value / div >= 10) div *= 10;
  while (div > 0 && at < end) {
    store<u8>(at++, <u8>(0x30 + ((value / div) % 10)));
    div /= 10;
  }
  return at;
}

/** The `--use abort=` target of the build: AssemblyScript runtime failures revert with `Panic(string)`. */
export function weftAbort(
  message: string | null = null,
  fileName: string | null = null,
  line: u32 = 0,
  column: u32 = 0,
): void {
  const base = panicBuffer;
  const end = base + PANIC_BUFFER_BYTES;
  store<u32>(base, 5);
  putAscii(base + 4, "Panic", end);
  const textStart = base + 13;
  let at = putAscii(textStart, message === null ? "abort" : message, end);
  if (fileName !== null) {
    at = putAscii(at, " at ", end);
    at = putAscii(at, fileName, end);
    at = putAscii(at, ":", end);
    at = putDecimal(at, line, end);
    at = putAscii(at, ":", end);
    at = putDecimal(at, column, end);
  }
  store<u32>(base + 9, <u32>(at - textStart));
  host.revert(base, <i32>(at - base));
  unreachable();
}
