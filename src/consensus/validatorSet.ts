/**
 * A validator set: who votes at a height and with how much power. Validator `i` is the
 * set's `i`-th entry; votes, certificates and evidence name validators by that index. Power
 * is a bigint (stake, scaled by the staking contract); the total is bounded so that
 * `3 × power` never needs more than 64 bits of thought (CometBFT bounds it the same way).
 *
 * `hasQuorum` is the "2f+1" of the paper and `hasOneThird` its "f+1", both by voting power:
 * with n = total power and f the byzantine power, f < n/3 gives quorum > 2n/3 and f+1 > n/3.
 */
import type { PublicKey } from "@chainsafe/blst";
import { toHex } from "../codec/bytes.js";
import { sha256 } from "../codec/hash.js";
import { parsePublicKey } from "./bls.js";
import { ConsensusError } from "./errors.js";
import { PUBLIC_KEY_LENGTH } from "./types.js";
import { Reader, Writer } from "./wire.js";

export const MAX_VALIDATORS = 1024;
export const MAX_TOTAL_POWER = 1n << 60n;

export interface ValidatorEntry {
  readonly publicKey: Uint8Array;
  readonly votingPower: bigint;
}

export class ValidatorSet {
  readonly validators: readonly ValidatorEntry[];
  readonly keys: readonly PublicKey[];
  readonly totalPower: bigint;
  /** sha256 of the set's encoding: what a header commits to. */
  readonly hash: Uint8Array;
  private readonly byKey: Map<string, number>;

  private constructor(validators: readonly ValidatorEntry[], keys: readonly PublicKey[], total: bigint) {
    this.validators = validators;
    this.keys = keys;
    this.totalPower = total;
    this.byKey = new Map(validators.map((v, i) => [toHex(v.publicKey), i]));
    this.hash = sha256(encodeValidatorSet(validators));
  }

  /**
   * Checks the entries (1..1024 of them, distinct valid keys, power > 0, total ≤ 2^60). Each
   * key's proof of possession was checked when it was registered (`bls.ts`).
   */
  static create(entries: readonly ValidatorEntry[]): ValidatorSet {
    if (entries.length === 0 || entries.length > MAX_VALIDATORS) {
      throw new ConsensusError(
        "BAD_VALIDATOR_SET",
        `a validator set has 1 to ${MAX_VALIDATORS} validators, got ${entries.length}`,
      );
    }
    const seen = new Set<string>();
    let total = 0n;
    const keys: PublicKey[] = [];
    for (const [i, v] of entries.entries()) {
      const hex = toHex(v.publicKey);
      if (seen.has(hex))
        throw new ConsensusError("BAD_VALIDATOR_SET", `validator ${i} repeats the key ${hex}`);
      seen.add(hex);
      if (v.votingPower <= 0n) {
        throw new ConsensusError(
          "BAD_VALIDATOR_SET",
          `validator ${i} has voting power ${v.votingPower}, not > 0`,
        );
      }
      total += v.votingPower;
      keys.push(parsePublicKey(v.publicKey));
    }
    if (total > MAX_TOTAL_POWER) {
      throw new ConsensusError("BAD_VALIDATOR_SET", `total voting power ${total} is above 2^60`);
    }
    return new ValidatorSet(
      entries.map((v) => ({ ...v })),
      keys,
      total,
    );
  }

  get size(): number {
    return this.validators.length;
  }

  power(index: number): bigint {
    return this.entry(index).votingPower;
  }

  key(index: number): PublicKey {
    const key = this.keys[index];
    if (key === undefined) throw unknown(index, this.size);
    return key;
  }

  entry(index: number): ValidatorEntry {
    const v = this.validators[index];
    if (v === undefined) throw unknown(index, this.size);
    return v;
  }

  indexOf(publicKey: Uint8Array): number | undefined {
    return this.byKey.get(toHex(publicKey));
  }

  /** More than two-thirds of the total power ("2f+1"). */
  hasQuorum(power: bigint): boolean {
    return power * 3n > this.totalPower * 2n;
  }

  /** More than one third of the total power ("f+1"): at least one honest validator among them. */
  hasOneThird(power: bigint): boolean {
    return power * 3n > this.totalPower;
  }
}

function unknown(index: number, size: number): ConsensusError {
  return new ConsensusError("UNKNOWN_VALIDATOR", `validator index ${index} is outside the set of ${size}`);
}

const SET_VERSION = 1;

export function encodeValidatorSet(validators: readonly ValidatorEntry[]): Uint8Array {
  const w = new Writer().u8(SET_VERSION).u16(validators.length);
  for (const v of validators) w.fixed(v.publicKey).bigU64(v.votingPower);
  return w.finish();
}

/** Decodes a set and checks it like `ValidatorSet.create`. */
export function decodeValidatorSet(bytes: Uint8Array): ValidatorSet {
  const r = new Reader(bytes, "validator set");
  const version = r.u8("version");
  if (version !== SET_VERSION) {
    throw new ConsensusError(
      "BAD_VALIDATOR_SET",
      `validator set version ${version}, this node reads ${SET_VERSION}`,
    );
  }
  const count = r.u16("count");
  if (count > MAX_VALIDATORS)
    throw new ConsensusError("BAD_VALIDATOR_SET", `${count} validators, above ${MAX_VALIDATORS}`);
  const entries: ValidatorEntry[] = [];
  for (let i = 0; i < count; i++) {
    entries.push({
      publicKey: r.fixed(PUBLIC_KEY_LENGTH, `validator ${i} key`),
      votingPower: r.bigU64(`validator ${i} power`),
    });
  }
  r.end();
  return ValidatorSet.create(entries);
}
