/**
 * valid(v) of the current height's values (`driver.ts`), asked of the application once per
 * value's bytes. The values are kept by header hash with the bytes judged: a value's hash is the
 * header hash its bytes declare, so other bytes under the same hash (a peer's forgery beside a
 * real certificate) are judged on their own, neither refused for an honest value's sake nor
 * taken for it, and never poison the honest value's verdict.
 */
import { equalBytes, toHex } from "../codec/bytes.js";
import type { ConsensusApplication, ValueJudgement } from "./interfaces.js";
import type { Value } from "./types.js";

/** Verdicts kept per value hash at a height (the honest value and a few forgeries of it). */
const MAX_JUDGED_VARIANTS = 4;

export class ValueVerdicts {
  private readonly byHash = new Map<string, Array<{ bytes: Uint8Array; valid: boolean }>>();

  constructor(private readonly app: ConsensusApplication) {}

  /** Forgets every verdict (a new height). */
  clear(): void {
    this.byHash.clear();
  }

  /** The bytes judged valid under `hash`, if any. */
  validBytes(hash: Uint8Array): Uint8Array | undefined {
    return this.byHash.get(toHex(hash))?.find((j) => j.valid)?.bytes;
  }

  /** This node's own proposal: valid, and the only bytes kept under its hash. */
  proposed(value: Value): void {
    this.byHash.set(toHex(value.hash), [{ bytes: value.bytes, valid: true }]);
  }

  /** valid(v), remembered by the value's bytes; "unjudged" (this node could not tell) is not remembered. */
  async judge(height: number, value: Value): Promise<ValueJudgement> {
    const key = toHex(value.hash);
    const judged = this.byHash.get(key) ?? [];
    const known = judged.find((j) => equalBytes(j.bytes, value.bytes));
    if (known !== undefined) return known.valid ? "valid" : "invalid";
    const { app } = this;
    const verdict: ValueJudgement =
      app.judgeValue !== undefined
        ? await app.judgeValue(height, value)
        : (await app.validateValue(height, value))
          ? "valid"
          : "invalid";
    // A few variants per hash are remembered (a forger's next one is judged again, at its cost).
    if (verdict !== "unjudged" && judged.length < MAX_JUDGED_VARIANTS)
      this.byHash.set(key, [...judged, { bytes: value.bytes, valid: verdict === "valid" }]);
    return verdict;
  }
}
