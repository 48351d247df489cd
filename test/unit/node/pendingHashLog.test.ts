/** The pending-transaction filters' shared log of hashes (`node/api/pendingHashLog.ts`). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PendingHashLog } from "../../../src/node/api/pendingHashLog.js";

describe("pending hash log", () => {
  it("gives each reader what was pushed since its number, at most the last capacity", () => {
    const log = new PendingHashLog(3);
    const start = log.head;
    log.push("a");
    const mid = log.head;
    log.push("b");
    assert.deepEqual(log.since(start), ["a", "b"]);
    assert.deepEqual(log.since(mid), ["b"]);
    for (const h of ["c", "d", "e"]) log.push(h);
    assert.deepEqual(log.since(start), ["c", "d", "e"], "the oldest are gone");
    assert.deepEqual(log.since(log.head), []);
    assert.throws(() => new PendingHashLog(0), RangeError);
  });
});
