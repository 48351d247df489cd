/**
 * The stall report's watch of the main thread (`node/validator/stallReport.ts`): a thread held
 * past the bound is logged with where consensus stood, so that a node that answered no RPC for
 * minutes (seen in the e2e suite) says why in its log.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ConsensusDriver } from "../../../src/consensus/driver.js";
import type { P2pNode } from "../../../src/net/p2pNode.js";
import { startStallReport } from "../../../src/node/validator/stallReport.js";

describe("stall report", () => {
  it("logs the main thread held, with the height, round and step", async () => {
    const driver = { currentHeight: 7, machine: { round: 2, step: 1 } } as unknown as ConsensusDriver;
    const logged: Array<{ message: string; fields?: Record<string, unknown> }> = [];
    const report = startStallReport(
      driver,
      {} as P2pNode,
      (_level, message, fields) => logged.push({ message, ...(fields === undefined ? {} : { fields }) }),
      5_000,
      500,
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const until = Date.now() + 2_000;
      while (Date.now() < until); // the thread held 2 s
      for (let i = 0; i < 20 && !logged.some((l) => l.message === "main thread held"); i++)
        await new Promise((resolve) => setTimeout(resolve, 200));
      const held = logged.find((l) => l.message === "main thread held");
      assert.ok(held, `logged: ${JSON.stringify(logged)}`);
      assert.equal(held.fields?.height, 7);
      assert.equal(held.fields?.round, 2);
      assert.ok((held.fields?.lateMs as number) >= 500);
    } finally {
      report.close();
    }
  });
});
