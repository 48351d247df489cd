/** Block sync's peer book: who is asked first, how long a peer gets, what stalls cost. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PeerScores } from "../../../src/net/peerScore.js";
import { SyncPeerBook } from "../../../src/net/syncPeers.js";

describe("the block-sync peer book", () => {
  it("asks peers that failed or stalled last, fewest stalls in a row first, then the longest-ago failure first", () => {
    const book = new SyncPeerBook(15_000);
    const scores = new PeerScores();
    assert.deepEqual(book.order(["a", "b", "c", "d"], 1), ["b", "c", "d", "a"]);
    book.stalled("b", scores, 15_000);
    book.failed("a");
    assert.deepEqual(
      book.order(["a", "b", "c", "d"], 1),
      ["c", "d", "a", "b"],
      "a failed once, b stalled once",
    );
    book.stalled("c", scores, 15_000);
    book.stalled("b", scores, 15_000);
    assert.deepEqual(
      book.order(["a", "b", "c", "d"], 1),
      ["d", "a", "c", "b"],
      "b has stalled twice in a row",
    );
    book.answered("b");
    assert.deepEqual(book.order(["a", "b", "c", "d"], 0), ["b", "d", "a", "c"]);
  });

  it("sets the deadline by the slowest recent honest answer, doubled per stall in a row", () => {
    const book = new SyncPeerBook(15_000, { floorMs: 1_000, factor: 4, samples: 3 });
    const scores = new PeerScores();
    assert.equal(book.deadline("x"), 15_000, "no sample yet: the full time");
    book.answered("h", 100);
    assert.equal(book.deadline("x"), 1_000, "the floor");
    book.answered("h", 600);
    book.answered("h", 200);
    assert.equal(book.deadline("x"), 2_400);
    book.answered("h", 100);
    book.answered("h", 100);
    book.answered("h", 100);
    assert.equal(book.deadline("x"), 1_000, "an old slow answer ages out");
    book.stalled("x", scores, 1_000);
    assert.equal(book.deadline("x"), 2_000);
    book.stalled("x", scores, 2_000);
    book.stalled("x", scores, 4_000);
    book.stalled("x", scores, 8_000);
    assert.equal(book.deadline("x"), 15_000, "at most the protocol's limit");
    assert.equal(book.deadline("h"), 1_000, "another peer's stalls change nothing for it");
  });

  it("bans a peer that stalls five times in a row, never one that stalls once and then answers", () => {
    const book = new SyncPeerBook(15_000);
    const scores = new PeerScores();
    const points = [1, 2, 3, 4].map(() => book.stalled("staller", scores, 2_000));
    assert.deepEqual(points, [0, 10, 20, 40]);
    assert.ok(!scores.isBanned("staller"));
    assert.equal(book.stalled("staller", scores, 15_000), 80);
    assert.ok(scores.isBanned("staller"), `score ${scores.score("staller")}`);
    for (let i = 0; i < 20; i++) {
      book.stalled("slow", scores, 2_000);
      book.answered("slow", 5_000);
    }
    assert.equal(book.stalls("slow"), 0);
    assert.equal(scores.score("slow"), 0);
  });
});
