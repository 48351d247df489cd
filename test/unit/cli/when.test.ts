/** Times as `weft` prints them: a UTC date and time, and a duration in whole units. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { duration, utcDateTime, whenFrom } from "../../../src/cli/when.js";

describe("times for people", () => {
  it("prints a unix time as a UTC date and time", () => {
    assert.equal(utcDateTime(0n), "1970-01-01 00:00:00 UTC");
    assert.equal(utcDateTime(1_800_000_000n), "2027-01-15 08:00:00 UTC");
  });

  it("prints durations in whole units, largest first", () => {
    assert.equal(duration(42n), "42 s");
    assert.equal(duration(125n), "2 min 5 s");
    assert.equal(duration(3_600n * 3n + 60n), "3 h 1 min");
    assert.equal(duration(86_400n), "1 day 0 h 0 min");
    assert.equal(duration(86_400n * 21n + 3_600n * 4n + 300n), "21 days 4 h 5 min");
  });

  it("says how far a time is from another, ahead or past", () => {
    assert.equal(
      whenFrom(1_800_000_000n, 1_800_000_000n - 1_814_400n),
      "2027-01-15 08:00:00 UTC (in 21 days 0 h 0 min)",
    );
    assert.equal(whenFrom(1_800_000_000n, 1_800_000_090n), "2027-01-15 08:00:00 UTC (1 min 30 s ago)");
    assert.equal(whenFrom(1_800_000_000n, 1_800_000_000n), "2027-01-15 08:00:00 UTC (now)");
  });
});
