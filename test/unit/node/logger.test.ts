/**
 * The node's logs: readable lines on a terminal, one JSON object per line otherwise
 * (a terminal is simulated with `script`, which gives the node a pseudo-terminal).
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createLogger, prettyLogLine } from "../../../src/node/logger.js";

const CLI = fileURLToPath(new URL("../../../src/cli/weft.js", import.meta.url));

function capture(pretty: boolean): { lines: () => string[]; logger: ReturnType<typeof createLogger> } {
  const out = new PassThrough();
  let text = "";
  out.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
  });
  const logger = createLogger({ logLevel: "info" }, { pretty, out });
  return { lines: () => text.split("\n").filter((l) => l !== ""), logger };
}

describe("node logs", () => {
  it("are one JSON object per line when not pretty", async () => {
    const { lines, logger } = capture(false);
    logger.info({ number: 3, txs: 2 }, "block committed");
    logger.flush();
    await new Promise((r) => setImmediate(r));
    const [line] = lines();
    const entry = JSON.parse(line as string) as Record<string, unknown>;
    assert.equal(entry.msg, "block committed");
    assert.equal(entry.number, 3);
    assert.equal(entry.level, 30);
  });

  it("are short lines with the level, the message and key=value fields when pretty", async () => {
    const { lines, logger } = capture(true);
    logger.warn({ reason: "mempool full", count: 7 }, "transaction refused");
    logger.debug("not at info level");
    await new Promise((r) => setImmediate(r));
    assert.equal(lines().length, 1);
    assert.match(
      lines()[0] as string,
      /^\d\d:\d\d:\d\d\.\d{3} WARN {2}transaction refused reason="mempool full" count=7$/,
    );
  });

  it("prettyLogLine keeps a line that is not JSON, and leaves out pid, hostname and service", () => {
    assert.equal(prettyLogLine("plain text", false), "plain text");
    const line = prettyLogLine(
      JSON.stringify({
        level: 50,
        time: Date.UTC(2026, 0, 1, 1, 2, 3, 4),
        service: "weft-node",
        pid: 1,
        msg: "boom",
      }),
      false,
    );
    assert.equal(line, "01:02:03.004 ERROR boom");
    assert.ok(prettyLogLine(JSON.stringify({ level: 30, time: 0, msg: "m" }), true).includes("\x1b[32mINFO"));
  });

  it("weft node writes pretty lines on a terminal", { skip: !hasScript() && "needs script(1)" }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-tty-"));
    const command = `${process.execPath} ${CLI} node --data-dir ${join(dir, "data")} --port 0 --dev-accounts 1 2>/dev/null`;
    const child = spawn("script", ["-qefc", command, "/dev/null"], { stdio: ["pipe", "pipe", "ignore"] });
    let text = "";
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "node started" line:\n${text}`)), 120_000);
        child.stdout.on("data", (chunk: Buffer) => {
          text += chunk.toString("utf8");
          if (text.includes("node started")) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.on("exit", () => reject(new Error(`exited:\n${text}`)));
      });
      const line = text.split("\n").find((l) => l.includes("node started")) as string;
      assert.match(line, /INFO.*node started.*url=http:\/\/127\.0\.0\.1:\d+/);
      assert.ok(!line.includes('"msg"'), line);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function hasScript(): boolean {
  return spawnSync("script", ["--version"], { encoding: "utf8" }).status === 0;
}
