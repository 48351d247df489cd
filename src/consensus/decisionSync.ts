/**
 * Catching up inside consensus: a validator that hears a message for a height it has already
 * decided (a peer that restarted, or was cut off, and is behind) answers with that height's
 * decision — the value and its commit certificate — and the peer commits it after checking
 * the certificate against its set and the value by re-executing it (`ConsensusDriver`,
 * `syncDecision`). The peer's own messages at each next height bring the next decision, so it
 * climbs one height per exchange. Only the last `KEPT_DECISIONS` decisions are held (in memory):
 * a peer further behind needs block sync.
 *
 *   decision (kind 4): nonce u64 ‖ height u64 ‖ id(v) 32 ‖ value (u32 length ‖ bytes) ‖
 *                      certificate (u32 length ‖ bytes ≤ 1024)
 *
 * The nonce makes each answer new to gossip's seen cache, as for bundles.
 */
import { type CommitCertificate, decodeCertificate, encodeCertificate } from "./certificate.js";
import { ConsensusDecodeError } from "./errors.js";
import { DEFAULT_MAX_VALUE_BYTES, MESSAGE_VERSION, openMessage } from "./messageCodec.js";
import { HASH_LENGTH, type Value } from "./types.js";
import { Writer } from "./wire.js";

const KIND_DECISION = 4;
export const KEPT_DECISIONS = 64;
const MAX_CERTIFICATE_BYTES = 1024;

export interface Decision {
  readonly height: number;
  readonly value: Value;
  readonly certificate: CommitCertificate;
}

export function encodeDecision(d: Decision, nonce: bigint): Uint8Array {
  return new Writer()
    .u8(MESSAGE_VERSION)
    .u8(KIND_DECISION)
    .bigU64(nonce)
    .u64(d.height)
    .fixed(d.value.hash)
    .bytes(d.value.bytes)
    .bytes(encodeCertificate(d.certificate))
    .finish();
}

/** The decision in `bytes`, or null when they are another kind of message. */
export function decodeDecision(bytes: Uint8Array, options: { maxValueBytes?: number } = {}): Decision | null {
  if (bytes.length < 2 || bytes[1] !== KIND_DECISION) return null;
  const maxValue = options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
  const r = openMessage(bytes, "consensus decision");
  r.u8("kind");
  r.bigU64("nonce");
  const height = r.u64("height");
  const hash = r.fixed(HASH_LENGTH, "value hash");
  const valueBytes = r.bytes(maxValue, "value");
  const certificate = decodeCertificate(r.bytes(MAX_CERTIFICATE_BYTES, "certificate"));
  r.end();
  if (certificate.height !== height) {
    throw new ConsensusDecodeError(
      "BAD_FIELD",
      `a decision for height ${height} with a certificate of ${certificate.height}`,
    );
  }
  return { height, value: { hash, bytes: valueBytes }, certificate };
}

/** The recent decisions, and which heights were answered since the last rebroadcast tick. */
export class DecisionCache {
  private readonly kept = new Map<number, Decision>();
  private readonly answered = new Set<number>();

  keep(d: Decision): void {
    this.kept.set(d.height, d);
    for (const h of this.kept.keys()) if (h <= d.height - KEPT_DECISIONS) this.kept.delete(h);
  }

  /**
   * The decision to send a peer behind at `height`, at most once per tick and height; from
   * `stored` (the node's committed chain) when it is older than the decisions kept here.
   */
  answer(height: number, stored?: (height: number) => Decision | undefined): Decision | undefined {
    if (this.answered.has(height)) return undefined;
    const d = this.kept.get(height) ?? stored?.(height);
    if (d === undefined) return undefined;
    this.answered.add(height);
    return d;
  }

  tick(): void {
    this.answered.clear();
  }
}
