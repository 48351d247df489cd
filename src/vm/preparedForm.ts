/**
 * The prepared form of a contract module, persisted so that a node restart does not
 * prepare every stored contract again. Preparing a module (validation, instrumentation,
 * the start function's probe: `moduleCache.ts`) costs about 4 ms per 24 KB of code; what
 * it produces (the instrumented bytes, the method table, the flattened static data, the
 * start snapshot, the store reach) is a pure function of the code and of the node's
 * preparation code. From it, a restart only has V8 compile the instrumented bytes
 * (0.05-0.1 ms per 24 KB), which no call can avoid anyway.
 *
 * The form is derived data, never trusted blindly. Its encoding carries:
 * - a SHA-256 checksum of everything after it: any damaged byte makes the form unreadable;
 * - the code hash it was prepared from and the code's length: a form stored under another
 *   code, or for other code, is refused;
 * - `PREPARATION_VERSION`, a fingerprint of the preparation code itself (every compiled
 *   file of `src/vm`, where validation, instrumentation, the gas schedule and the limits
 *   live): a node whose preparation differs in any byte refuses the forms of another and
 *   prepares again. No version number has to be remembered to bump.
 * A form refused for any reason is prepared again from the code and replaced
 * (`moduleCache.ts`); results and gas never depend on whether a form was used.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sha256 } from "../codec/hash.js";
import type { StartSnapshot } from "./startSnapshot.js";
import { BinaryReader, BinaryWriter } from "./wasm/binary.js";
import type { DataSegment } from "./wasm/index.js";

/** Everything a module cache needs of a contract, besides V8's compilation of `bytes`. */
export interface PreparedContract {
  /** The instrumented module (what V8 compiles). */
  readonly bytes: Uint8Array;
  /** Method names in dispatch order, `init` included. */
  readonly methods: readonly string[];
  /** Length of the contract's code (what a cold call pays per byte). */
  readonly codeBytes: number;
  readonly initialPages: number;
  /** Mutable globals the module declares (the dispatcher resets or restores each on every call). */
  readonly mutableGlobals: number;
  /** The flattened static data runs (`wasm/dataSegments.ts`). */
  readonly data: readonly DataSegment[];
  readonly snapshot: StartSnapshot | undefined;
  readonly storeReach: number | undefined;
}

/** Where prepared forms are kept, by code hash (hex): the node keeps them in files (`node/store/preparedFiles.ts`). */
export interface PreparedStore {
  get(codeHash: string): Uint8Array | undefined;
  /** Replaces the form kept for `codeHash` (it may be written later, or lost: it is derived data). */
  put(codeHash: string, form: Uint8Array): void;
}

const CHECKSUM_BYTES = 32;
const TWO_32 = 2 ** 32;

let version: Uint8Array | undefined;

/**
 * The fingerprint of this node's preparation code: SHA-256 over every compiled module
 * file of the VM's directory (this file's), names and contents, in name order. Computed
 * once per process (a few hundred KB read).
 */
export function preparationVersion(): Uint8Array {
  if (version !== undefined) return version;
  const root = fileURLToPath(new URL(".", import.meta.url));
  const extension = import.meta.url.slice(import.meta.url.lastIndexOf("."));
  const files: string[] = [];
  const walk = (dir: string, prefix: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name), `${prefix}${entry.name}/`);
      else if (entry.name.endsWith(extension) && !entry.name.endsWith(`.d${extension}`))
        files.push(`${prefix}${entry.name}`);
    }
  };
  walk(root, "");
  files.sort();
  const w = new BinaryWriter();
  for (const file of files) {
    const content = readFileSync(join(root, file));
    w.name(file).u32(content.length).bytes(content);
  }
  version = sha256(w.finish());
  return version;
}

/** The persisted encoding of `prepared`, prepared from the code whose hash is `codeHash` (32 bytes). */
export function encodePrepared(codeHash: Uint8Array, prepared: PreparedContract): Uint8Array {
  const w = new BinaryWriter().bytes(preparationVersion()).bytes(codeHash);
  number(w, prepared.codeBytes);
  number(w, prepared.initialPages);
  number(w, prepared.mutableGlobals);
  number(w, prepared.storeReach === undefined ? 0 : prepared.storeReach + 1);
  w.u32(prepared.methods.length);
  for (const name of prepared.methods) w.name(name);
  segments(w, prepared.data);
  const snapshot = prepared.snapshot;
  w.byte(snapshot === undefined ? 0 : 1);
  if (snapshot !== undefined) {
    number(w, snapshot.gas);
    number(w, snapshot.maxStackStart);
    segments(w, snapshot.memory);
  }
  w.u32(prepared.bytes.length).bytes(prepared.bytes);
  const body = w.finish();
  const out = new Uint8Array(CHECKSUM_BYTES + body.length);
  out.set(sha256(body));
  out.set(body, CHECKSUM_BYTES);
  return out;
}

/**
 * The prepared contract in `form`, or undefined when the form is damaged, was prepared by
 * other preparation code, or from other code than `codeHash` (32 bytes) of `codeBytes`
 * bytes. Every array is a copy of its own (they cross threads).
 */
export function decodePrepared(
  form: Uint8Array,
  codeHash: Uint8Array,
  codeBytes: number,
): PreparedContract | undefined {
  if (form.length < CHECKSUM_BYTES) return undefined;
  const body = form.subarray(CHECKSUM_BYTES);
  if (!equal(sha256(body), form.subarray(0, CHECKSUM_BYTES))) return undefined;
  try {
    const r = new BinaryReader(body);
    if (!equal(r.take(32), preparationVersion()) || !equal(r.take(32), codeHash)) return undefined;
    if (readNumber(r) !== codeBytes) return undefined;
    const initialPages = readNumber(r);
    const mutableGlobals = readNumber(r);
    const reach = readNumber(r);
    const methods = Array.from({ length: r.u32() }, () => r.name());
    const data = readSegments(r);
    let snapshot: StartSnapshot | undefined;
    if (r.u8() === 1) {
      const gas = readNumber(r);
      const maxStackStart = readNumber(r);
      snapshot = { gas, maxStackStart, memory: readSegments(r) };
    }
    const bytes = r.take(r.u32()).slice();
    if (!r.done) return undefined;
    return {
      bytes,
      methods,
      codeBytes,
      initialPages,
      mutableGlobals,
      data,
      snapshot,
      storeReach: reach === 0 ? undefined : reach - 1,
    };
  } catch {
    return undefined;
  }
}

/** A non-negative integer below 2^53, as two u32s. */
function number(w: BinaryWriter, value: number): void {
  w.u32(Math.floor(value / TWO_32)).u32(value % TWO_32);
}

function readNumber(r: BinaryReader): number {
  return r.u32() * TWO_32 + r.u32();
}

function segments(w: BinaryWriter, list: readonly DataSegment[]): void {
  w.u32(list.length);
  for (const s of list) w.u32(s.offset).u32(s.bytes.length).bytes(s.bytes);
}

function readSegments(r: BinaryReader): DataSegment[] {
  return Array.from({ length: r.u32() }, () => {
    const offset = r.u32();
    return { offset, bytes: r.take(r.u32()).slice() };
  });
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);
}
