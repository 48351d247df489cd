/** Node configuration: defaults, then file, then environment, then flags; every problem reported at once. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { MAX_BLOCK_RECEIPT_BYTES } from "../../../src/node/buildBlock.js";
import { ConfigError, defaultConfig, envName, loadConfig } from "../../../src/node/config.js";
import { MAX_RECEIPT_BYTES } from "../../../src/node/store/records.js";

describe("node configuration", () => {
  it("layers file < environment < flags, nested or flat keys in the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-config-"));
    try {
      const file = join(dir, "weft.json");
      writeFileSync(
        file,
        JSON.stringify({ port: 9000, rpc: { maxBatch: 5 }, "mempool.maxPerSender": 7, chainId: "42" }),
      );
      const config = loadConfig(
        { config: file, port: 9002 },
        { WEFT_PORT: "9001", WEFT_BLOCK_TIME_MS: "250" },
        dir,
      );
      assert.equal(config.port, 9002, "flags win");
      assert.equal(config.blockTimeMs, 250, "environment over defaults");
      assert.equal(config.rpc.maxBatch, 5, "nested key from the file");
      assert.equal(config.mempool.maxPerSender, 7, "flat key from the file");
      assert.equal(config.chainId, 42n);
      assert.equal(config.dataDir, join(dir, ".weft/data"));
      assert.equal(envName("mempool.maxNonceGap"), "WEFT_MEMPOOL_MAX_NONCE_GAP");
      assert.deepEqual(loadConfig({}, {}, dir), defaultConfig(dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads the connection and read-only execution limits, and refuses out-of-range ones", () => {
    const defaults = defaultConfig().rpc;
    assert.equal(defaults.maxConnectionsPerIp, 256);
    assert.equal(defaults.callGasCap, 1_000_000_000);
    assert.ok(defaults.callWorkers >= 1);
    const config = loadConfig(
      { "rpc.callGasCap": "1000000", "rpc.maxConnectionsPerIp": 8 },
      { WEFT_RPC_BODY_TIMEOUT_MS: "2500", WEFT_RPC_CALL_WORKERS: "0", WEFT_RPC_WS_IDLE_TIMEOUT_MS: "1000" },
    );
    assert.equal(config.rpc.callGasCap, 1_000_000);
    // Up to what gives an EVM call a transaction's most EVM gas (16,777,216 × 500).
    assert.equal(loadConfig({ "rpc.callGasCap": "8388608000" }, {}).rpc.callGasCap, 8_388_608_000);
    assert.equal(config.rpc.maxConnectionsPerIp, 8);
    assert.equal(config.rpc.bodyTimeoutMs, 2500);
    assert.equal(config.rpc.callWorkers, 0);
    assert.equal(config.rpc.wsIdleTimeoutMs, 1000);
    assert.equal(envName("rpc.maxConnectionsPerIp"), "WEFT_RPC_MAX_CONNECTIONS_PER_IP");
    assert.throws(
      () => loadConfig({ "rpc.callGasCap": "9000000000", "rpc.headerTimeoutMs": 0, "rpc.callQueue": -1 }, {}),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.length === 3 &&
        /rpc\.callGasCap \(WEFT_RPC_CALL_GAS_CAP\): expected an integer from 100000 to 8388608000/.test(
          error.message,
        ),
    );
  });

  it("turns the engine's speed rule on or off from a file, the environment or a flag, and refuses anything else", () => {
    assert.equal(loadConfig({}, {}).speedRule, false, "off by default");
    assert.equal(loadConfig({}, { WEFT_SPEED_RULE: "on" }).speedRule, true);
    assert.equal(
      loadConfig({ speedRule: "off" }, { WEFT_SPEED_RULE: "on" }).speedRule,
      false,
      "the flag wins",
    );
    assert.equal(loadConfig({ speedRule: true }, {}).speedRule, true);
    assert.throws(
      () => loadConfig({ speedRule: "maybe" }, {}),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.problems.some((p) => p.includes("WEFT_SPEED_RULE") && p.includes('"maybe"')),
    );
  });

  it("refuses a config file without end (/dev/zero) or over 1 MiB after reading at most that, not the whole file", () => {
    // Read whole first, /dev/zero held 2.2 GB after 20 s and never answered.
    assert.throws(
      () => loadConfig({ config: "/dev/zero" }, {}),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.problems.some((p) => /config file \/dev\/zero is over 1048576 bytes/.test(p)),
    );
    const dir = mkdtempSync(join(tmpdir(), "weft-config-"));
    try {
      const big = join(dir, "big.json");
      writeFileSync(big, `{"port": 1${" ".repeat(1024 * 1024)}}`);
      assert.throws(
        () => loadConfig({ config: big }, {}),
        (e: unknown) =>
          e instanceof ConfigError && e.problems.some((p) => p.includes("is over 1048576 bytes")),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("dev mode is on by default, off from a file, the environment or a flag, and refuses anything else", () => {
    assert.equal(loadConfig({}, {}).dev, true, "weft node runs a local development chain");
    assert.equal(loadConfig({}, { WEFT_DEV: "off" }).dev, false);
    assert.equal(loadConfig({ dev: "on" }, { WEFT_DEV: "off" }).dev, true, "the flag wins");
    assert.throws(
      () => loadConfig({ dev: "yes" }, {}),
      (e: unknown) =>
        e instanceof ConfigError && e.problems.some((p) => p.includes("WEFT_DEV") && p.includes('"yes"')),
    );
  });

  it("takes a state-sync checkpoint <height>:<hash>, and refuses a malformed one or one without state sync", () => {
    const hash = `0x${"Ab".repeat(32)}`;
    assert.equal(loadConfig({}, {}).checkpoint, undefined);
    assert.deepEqual(loadConfig({ stateSync: "on", checkpoint: `1000:${hash}` }, {}).checkpoint, {
      height: 1000,
      hash: hash.toLowerCase(),
    });
    for (const bad of ["1000", `0:${hash}`, `-5:${hash}`, "1000:0x12", `x:${hash}`])
      assert.throws(
        () => loadConfig({ stateSync: "on", checkpoint: bad }, {}),
        (e: unknown) =>
          e instanceof ConfigError &&
          e.problems.some((p) => p.includes("WEFT_CHECKPOINT") && p.includes(bad)),
        bad,
      );
    assert.throws(
      () => loadConfig({ checkpoint: `1000:${hash}` }, {}),
      (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.includes("--state-sync on")),
    );
  });

  it("sets the consensus pace's cap from a flag (0 turns the pace off), and refuses one past 16", () => {
    assert.equal(loadConfig({}, {}).consensusMaxPace, 4, "4 by default");
    assert.equal(loadConfig({ consensusMaxPace: "0" }, {}).consensusMaxPace, 0);
    assert.throws(
      () => loadConfig({ consensusMaxPace: "17" }, {}),
      (e: unknown) =>
        e instanceof ConfigError && e.problems.some((p) => p.includes("WEFT_CONSENSUS_MAX_PACE")),
    );
  });

  it("sets the startup database check (off or full) from the environment or a flag, and refuses anything else", () => {
    assert.equal(loadConfig({}, {}).checkDb, "off", "off by default");
    assert.equal(loadConfig({}, { WEFT_CHECK_DB: "full" }).checkDb, "full");
    assert.equal(loadConfig({ checkDb: "off" }, { WEFT_CHECK_DB: "full" }).checkDb, "off", "the flag wins");
    assert.throws(
      () => loadConfig({ checkDb: "quick" }, {}),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.problems.some((p) => p.includes("WEFT_CHECK_DB") && p.includes('"quick"')),
    );
  });

  it("sets the block's receipt bound from a file, the environment or a flag, and refuses one a receipt cannot fit in", () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-config-"));
    try {
      assert.equal(
        loadConfig({}, {}, dir).maxBlockReceiptBytes,
        MAX_BLOCK_RECEIPT_BYTES,
        "16 MiB by default",
      );
      const file = join(dir, "weft.json");
      writeFileSync(file, JSON.stringify({ maxBlockReceiptBytes: 4_000_000 }));
      assert.equal(loadConfig({ config: file }, {}, dir).maxBlockReceiptBytes, 4_000_000);
      assert.equal(envName("maxBlockReceiptBytes"), "WEFT_MAX_BLOCK_RECEIPT_BYTES");
      const env = { WEFT_MAX_BLOCK_RECEIPT_BYTES: "2000000" };
      assert.equal(loadConfig({ config: file }, env, dir).maxBlockReceiptBytes, 2_000_000, "env over file");
      assert.equal(
        loadConfig({ config: file, maxBlockReceiptBytes: "1000000" }, env, dir).maxBlockReceiptBytes,
        1_000_000,
        "the flag wins",
      );
      assert.equal(
        loadConfig({ maxBlockReceiptBytes: MAX_RECEIPT_BYTES }, {}).maxBlockReceiptBytes,
        MAX_RECEIPT_BYTES,
      );
      const cli = fileURLToPath(new URL("../../../src/cli/weft.js", import.meta.url));
      const help = spawnSync(process.execPath, [cli, "node", "--help"], { encoding: "utf8" });
      assert.equal(help.status, 0);
      assert.match(
        help.stdout.replace(/\s+/g, " "),
        /--max-block-receipt-bytes <value> most bytes of return data and events a block's receipts hold.*\[env WEFT_MAX_BLOCK_RECEIPT_BYTES\]/,
      );
      for (const bad of [MAX_RECEIPT_BYTES - 1, 0, "-5", "16MiB", 1.5, 2 ** 31]) {
        assert.throws(
          () => loadConfig({ maxBlockReceiptBytes: bad }, {}),
          (e: unknown) =>
            e instanceof ConfigError &&
            e.problems.length === 1 &&
            e.problems[0] ===
              `maxBlockReceiptBytes (WEFT_MAX_BLOCK_RECEIPT_BYTES): expected an integer from ${MAX_RECEIPT_BYTES} to 1073741824, got ${JSON.stringify(bad)}`,
          `refuses ${JSON.stringify(bad)}`,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reports every bad value, unknown setting and unreadable file with the setting's name", () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-config-"));
    try {
      const file = join(dir, "bad.json");
      writeFileSync(file, JSON.stringify({ prot: 1 }));
      assert.throws(
        () =>
          loadConfig(
            { config: file, port: "70000", chainId: "0", feeRecipient: "0x12", logLevel: "loud" },
            { WEFT_WORKERS: "many" },
            dir,
          ),
        (e: unknown) => {
          assert.ok(e instanceof ConfigError);
          const text = e.problems.join("\n");
          for (const what of [
            /unknown setting "prot"/,
            /port \(WEFT_PORT\)/,
            /chainId/,
            /feeRecipient/,
            /logLevel/,
            /workers \(WEFT_WORKERS\)/,
          ])
            assert.match(text, what);
          assert.equal(e.problems.length, 6);
          return true;
        },
      );
      assert.throws(() => loadConfig({ config: join(dir, "missing.json") }, {}, dir), /missing\.json/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
