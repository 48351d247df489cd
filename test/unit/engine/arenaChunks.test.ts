/** Chunked bump allocation from a shared arena (`arenaChunks.ts`): disjoint, within capacity, full when full. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ArenaChunks } from "../../../src/engine/parallel/arenaChunks.js";

describe("arena chunks", () => {
  it("threads allocating in turn get disjoint ranges inside the arena, then -1 when it is full", () => {
    const ctl = new Int32Array(new SharedArrayBuffer(8));
    const capacity = 1000;
    const a = new ArenaChunks(ctl, 0, capacity, 64);
    const b = new ArenaChunks(ctl, 0, capacity, 64);
    const used = new Uint8Array(capacity);
    let full = 0;
    for (let i = 0; i < 400; i++) {
      const arena = i % 3 === 0 ? b : a;
      const n = 1 + (i % 17);
      const at = arena.alloc(n);
      if (at < 0) {
        full++;
        continue;
      }
      assert.ok(at >= 0 && at + n <= capacity, `range ${at}+${n} inside the arena`);
      for (let k = at; k < at + n; k++) {
        assert.equal(used[k], 0, `unit ${k} allocated twice`);
        used[k] = 1;
      }
    }
    assert.ok(full > 0, "the arena filled up");
    // A request larger than a chunk is served whole.
    const c = new ArenaChunks(new Int32Array(new SharedArrayBuffer(8)), 0, 500, 64);
    assert.equal(c.alloc(300), 0);
    assert.equal(c.alloc(300), -1);
    // A new block: the engine resets the shared top, and each thread its chunk.
    ctl[0] = 0;
    a.reset();
    assert.equal(a.alloc(10), 0);
  });
});
