/**
 * deployments/<network>.json (`weft deploy`, the scaffolded deploy script): a second
 * deployment under a name becomes the name's record and the earlier one is kept in its
 * `previous` list, newest first, instead of being overwritten and lost.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  type DeploymentRecord,
  loadProject,
  ProjectError,
  readDeployments,
  recordDeployment,
} from "../../../src/project/project.js";

function record(n: number): DeploymentRecord {
  const hex = (width: number) => `0x${n.toString(16).padStart(width, "0")}`;
  return {
    address: hex(40),
    codeHash: hex(64),
    txHash: hex(64),
    blockNumber: String(n),
    chainId: "1337",
    deployedAt: `2026-01-0${n}T00:00:00.000Z`,
  };
}

describe("recording deployments", () => {
  const root = mkdtempSync(join(tmpdir(), "weft-deployments-"));
  writeFileSync(join(root, "weft.json"), "{}\n");
  const project = loadProject(root);
  after(() => rmSync(root, { recursive: true, force: true }));

  it("keeps every earlier deployment of a name, newest first, and returns the one replaced", () => {
    const first = recordDeployment(project, "local", "counter", record(1));
    assert.equal(first.replaced, undefined);
    assert.deepEqual(
      readDeployments(project, "local").counter,
      record(1),
      "no previous list until a replacement",
    );
    const second = recordDeployment(project, "local", "counter", record(2));
    assert.deepEqual(second.replaced, record(1));
    recordDeployment(project, "local", "token", record(7));
    const third = recordDeployment(project, "local", "counter", record(3));
    assert.deepEqual(third.replaced, { ...record(2), previous: [record(1)] });
    const saved = JSON.parse(readFileSync(third.file, "utf8"));
    assert.deepEqual(saved.counter, { ...record(3), previous: [record(2), record(1)] });
    assert.deepEqual(saved.token, record(7), "other names untouched");
  });

  it("networks are separate files, and a bad network name is refused", () => {
    recordDeployment(project, "prod", "counter", record(4));
    assert.deepEqual(readDeployments(project, "prod").counter, record(4));
    assert.equal(readDeployments(project, "local").counter?.address, record(3).address);
    assert.throws(
      () => recordDeployment(project, "../x", "counter", record(5)),
      (e: unknown) => e instanceof ProjectError && e.code === "BAD_DEPLOYMENTS",
    );
  });
});
