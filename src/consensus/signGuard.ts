/**
 * Double-sign protection. A validator signs at most one message per (height, round, step),
 * and never goes back: the guard keeps the last thing signed — (height, round, step), the
 * digest of the signed bytes, the signature and the state machine's lock — in a record that is
 * written and fsynced (`FileSignRecordStore`) before the signature is returned, so before
 * the message can leave. After a crash the record says where the validator was:
 *
 *   - (h, r, s) below the record's: refused (`DOUBLE_SIGN`), it may have signed there already;
 *   - equal, and the same bytes: the stored signature again (re-broadcasting is harmless);
 *   - equal with other bytes: refused, that is the double sign;
 *   - above: the new record is written first, then the signature is returned.
 *
 * The lock goes in the same record because safety needs it too: a validator that precommitted
 * v in round r and forgot its lock after a restart could prevote v' in round r+1 without a
 * polka, which Tendermint's proof counts as byzantine. `driver.ts` restarts the state machine
 * at the record's round with its lock (`LockState`).
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { SecretKey } from "@chainsafe/blst";
import { equalBytes } from "../codec/bytes.js";
import { sha256 } from "../codec/hash.js";
import { sign } from "./bls.js";
import { ConsensusError } from "./errors.js";
import type { LockState } from "./stateMachine.js";
import { HASH_LENGTH, SIGNATURE_LENGTH, Step, type Value } from "./types.js";
import { Reader, Writer } from "./wire.js";

export interface SignRecord {
  readonly height: number;
  readonly round: number;
  readonly step: Step;
  /** sha256 of the signed bytes. */
  readonly digest: Uint8Array;
  readonly signature: Uint8Array;
  readonly lock: LockState;
  /** The signed vote as sent (`messageCodec.ts`), so a restarted validator can send it again; null for a proposal. */
  readonly message: Uint8Array | null;
}

/** Where the last-signed record lives. `save` returns only once the record is durable. */
export interface SignRecordStore {
  load(): SignRecord | null;
  save(record: SignRecord): void;
}

export class SignGuard {
  private last: SignRecord | null;

  constructor(
    private readonly store: SignRecordStore,
    private readonly secretKey: SecretKey,
  ) {
    this.last = store.load();
  }

  get lastSigned(): SignRecord | null {
    return this.last;
  }

  /** Signs `bytes` as the message of (height, round, step), or throws `DOUBLE_SIGN`. */
  sign(
    height: number,
    round: number,
    step: Step,
    bytes: Uint8Array,
    lock: LockState,
    message?: (signature: Uint8Array) => Uint8Array,
  ): Uint8Array {
    const digest = sha256(bytes);
    const last = this.last;
    if (last !== null) {
      const order = compare([height, round, step], [last.height, last.round, last.step]);
      if (order < 0) {
        throw new ConsensusError(
          "DOUBLE_SIGN",
          `refusing to sign height ${height} round ${round} step ${step}: already signed height ${last.height} round ${last.round} step ${last.step}`,
        );
      }
      if (order === 0) {
        if (equalBytes(digest, last.digest)) return last.signature;
        throw new ConsensusError(
          "DOUBLE_SIGN",
          `refusing to sign different bytes at height ${height} round ${round} step ${step}: that would be a double sign`,
        );
      }
    }
    const signature = sign(this.secretKey, bytes);
    const record: SignRecord = {
      height,
      round,
      step,
      digest,
      signature,
      lock,
      message: message?.(signature) ?? null,
    };
    this.store.save(record);
    this.last = record;
    return signature;
  }
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    if ((a[i] as number) !== (b[i] as number)) return (a[i] as number) < (b[i] as number) ? -1 : 1;
  }
  return 0;
}

/** A record kept in memory, for tests: keep the object to "restart" with what was saved. */
export class MemorySignRecordStore implements SignRecordStore {
  record: SignRecord | null = null;
  load(): SignRecord | null {
    return this.record;
  }
  save(record: SignRecord): void {
    this.record = record;
  }
}

/**
 * The polka behind the lock: the valid value's bytes and the 2f+1 prevotes for it, kept when
 * the valid round changes (once or twice a height). A validator locked on v after a restart
 * needs them to bring v back as proposer with its POL (line 28 unlocks the others); with the
 * lock alone (and amnesia of the prevotes everywhere) the locked and the unlocked could wait
 * on each other forever — seen in the simulated restart test.
 */
export interface PolkaRecord {
  readonly height: number;
  readonly round: number;
  readonly value: Value;
  /** The signed prevotes, each as sent. */
  readonly prevotes: readonly Uint8Array[];
}

export interface PolkaStore {
  load(): PolkaRecord | null;
  save(record: PolkaRecord): void;
}

export class MemoryPolkaStore implements PolkaStore {
  record: PolkaRecord | null = null;
  load(): PolkaRecord | null {
    return this.record;
  }
  save(record: PolkaRecord): void {
    this.record = record;
  }
}

const POLKA_MAGIC = new TextEncoder().encode("WEFTPOLK");
const MAX_POLKA_VOTES = 1024;

/** The polka record in one file, replaced atomically like the last-signed record; a damaged file is ignored (liveness only). */
export class FilePolkaStore implements PolkaStore {
  constructor(
    readonly path: string,
    private readonly maxValueBytes = 8 * 1024 * 1024,
  ) {}

  load(): PolkaRecord | null {
    try {
      const bytes = readFileSync(this.path);
      const body = bytes.subarray(0, bytes.length - HASH_LENGTH);
      if (!equalBytes(sha256(body), bytes.subarray(bytes.length - HASH_LENGTH))) return null;
      const r = new Reader(body, "polka record");
      if (!equalBytes(r.fixed(POLKA_MAGIC.length, "magic"), POLKA_MAGIC)) return null;
      const height = r.u64("height");
      const round = r.u32("round");
      const hash = r.fixed(HASH_LENGTH, "value hash");
      const valueBytes = r.bytes(this.maxValueBytes, "value");
      const count = r.u32("count");
      if (count > MAX_POLKA_VOTES) return null;
      const prevotes: Uint8Array[] = [];
      for (let i = 0; i < count; i++) prevotes.push(r.bytes(1024, "prevote"));
      r.end();
      return { height, round, value: { hash, bytes: valueBytes }, prevotes };
    } catch {
      return null;
    }
  }

  save(p: PolkaRecord): void {
    const w = new Writer()
      .fixed(POLKA_MAGIC)
      .u64(p.height)
      .u32(p.round)
      .fixed(p.value.hash)
      .bytes(p.value.bytes);
    w.u32(p.prevotes.length);
    for (const v of p.prevotes) w.bytes(v);
    const body = w.finish();
    writeDurably(this.path, new Writer().fixed(body).fixed(sha256(body)).finish());
  }
}

function writeDurably(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, "w", 0o600);
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dir = openSync(dirname(path), "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

const MAGIC = new TextEncoder().encode("WEFTSIGN");
const RECORD_VERSION = 1;
const MAX_RECORD_MESSAGE = 1024;

/**
 * The record in one file, replaced atomically: written to `<path>.tmp`, fsynced, renamed over
 * `<path>`, then the directory fsynced. A torn or altered file fails its checksum and the
 * validator refuses to start (`BAD_SIGN_RECORD`) rather than sign from an unknown state.
 */
export class FileSignRecordStore implements SignRecordStore {
  constructor(readonly path: string) {}

  load(): SignRecord | null {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(this.path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw new ConsensusError(
        "BAD_SIGN_RECORD",
        `cannot read the last-signed record ${this.path}: ${(e as Error).message}`,
      );
    }
    try {
      return decodeSignRecord(bytes);
    } catch (e) {
      throw new ConsensusError(
        "BAD_SIGN_RECORD",
        `the last-signed record ${this.path} is damaged: ${(e as Error).message}`,
        [
          "the validator will not sign from an unknown state; restore the file or, if you are sure this key",
          "signed nothing at the current height, remove it",
        ],
      );
    }
  }

  save(record: SignRecord): void {
    writeDurably(this.path, encodeSignRecord(record));
  }
}

export function encodeSignRecord(r: SignRecord): Uint8Array {
  const w = new Writer().fixed(MAGIC).u8(RECORD_VERSION).u64(r.height).u32(r.round).u8(r.step);
  w.fixed(r.digest).fixed(r.signature).u32(r.lock.round).i32(r.lock.lockedRound);
  optionalHash(w, r.lock.lockedHash).i32(r.lock.validRound);
  optionalHash(w, r.lock.validHash);
  w.bytes(r.message ?? new Uint8Array(0));
  const body = w.finish();
  return new Writer().fixed(body).fixed(sha256(body)).finish();
}

export function decodeSignRecord(bytes: Uint8Array): SignRecord {
  if (bytes.length < HASH_LENGTH) throw new Error(`${bytes.length} bytes is too short`);
  const body = bytes.subarray(0, bytes.length - HASH_LENGTH);
  if (!equalBytes(sha256(body), bytes.subarray(bytes.length - HASH_LENGTH)))
    throw new Error("checksum mismatch");
  const r = new Reader(body, "last-signed record");
  if (!equalBytes(r.fixed(MAGIC.length, "magic"), MAGIC)) throw new Error("not a last-signed record");
  const version = r.u8("version");
  if (version !== RECORD_VERSION) throw new Error(`version ${version}, this node reads ${RECORD_VERSION}`);
  const height = r.u64("height");
  const round = r.u32("round");
  const step = r.u8("step");
  if (step < Step.Propose || step > Step.Precommit) throw new Error(`step ${step}`);
  const digest = r.fixed(HASH_LENGTH, "digest");
  const signature = r.fixed(SIGNATURE_LENGTH, "signature");
  const lockRound = r.u32("lock round");
  const lockedRound = r.i32("locked round");
  const lockedHash = readOptionalHash(r, "locked hash");
  const validRound = r.i32("valid round");
  const validHash = readOptionalHash(r, "valid hash");
  const message = r.bytes(MAX_RECORD_MESSAGE, "message");
  r.end();
  return {
    height,
    round,
    step,
    digest,
    signature,
    lock: { round: lockRound, lockedRound, lockedHash, validRound, validHash },
    message: message.length === 0 ? null : message,
  };
}

function optionalHash(w: Writer, hash: Uint8Array | null): Writer {
  return hash === null ? w.u8(0) : w.u8(1).fixed(hash);
}

function readOptionalHash(r: Reader, field: string): Uint8Array | null {
  return r.u8(field) === 0 ? null : r.fixed(HASH_LENGTH, field);
}
