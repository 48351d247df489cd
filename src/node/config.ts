/**
 * Node configuration: defaults, then a JSON file (`--config` or `WEFT_CONFIG`), then
 * environment variables (`WEFT_DATA_DIR`, `WEFT_PORT`...), then command-line flags. Every
 * value is checked; all problems are reported at once in one `ConfigError`.
 */
import { isIP } from "node:net";
import { resolve } from "node:path";
import { multiaddr } from "@multiformats/multiaddr";
import type { Address } from "../codec/address.js";
import { BoundedReadError, readBoundedText } from "../codec/boundedFile.js";
import { envName, getIn, SETTINGS, type Setting, setIn } from "./configSettings.js";
import {
  defaultConfig,
  MAX_BLOCK_RECEIPT_BYTES_LIMIT,
  MAX_CALL_GAS_CAP,
  MAX_STATE_HISTORY_BLOCKS,
  type NodeConfig,
} from "./nodeConfig.js";
import { MAX_RECEIPT_BYTES } from "./store/records.js";

export { envName, SETTINGS, type Setting } from "./configSettings.js";
export {
  defaultConfig,
  MAX_BLOCK_RECEIPT_BYTES_LIMIT,
  MAX_CALL_GAS_CAP,
  MAX_STATE_HISTORY_BLOCKS,
  type NodeConfig,
} from "./nodeConfig.js";

/** The most bytes a config file may hold (read a MiB at a time: `/dev/zero` is refused, not read whole). */
const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Reads the layers and checks the result. `flags` use the setting names (e.g. "mempool.maxTransactions"). */
export function loadConfig(
  flags: Partial<Record<Setting, unknown>> & { config?: string },
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): NodeConfig {
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  const file = flags.config ?? env.WEFT_CONFIG;
  if (file !== undefined) {
    try {
      const parsed = JSON.parse(
        readBoundedText(resolve(cwd, file), "config file", MAX_CONFIG_FILE_BYTES),
      ) as unknown;
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
        problems.push(`config file ${file}: expected a JSON object`);
      else {
        for (const key of Object.keys(parsed)) {
          const known = SETTINGS.some((s) => s === key || s.startsWith(`${key}.`));
          if (!known) problems.push(`config file ${file}: unknown setting "${key}"`);
        }
        for (const s of SETTINGS) {
          const obj = parsed as Record<string, unknown>;
          // Nested ({ "rpc": { "maxBatch": 5 } }) or flat ({ "rpc.maxBatch": 5 }).
          const v = obj[s] !== undefined ? obj[s] : getIn(obj, s);
          if (v !== undefined) setIn(raw, s, v);
        }
      }
    } catch (error) {
      // A read failure already names the file; a parse failure does not.
      if (error instanceof BoundedReadError) problems.push(error.message);
      else problems.push(`config file ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  for (const s of SETTINGS) {
    const fromEnv = env[envName(s)];
    if (fromEnv !== undefined) setIn(raw, s, fromEnv);
    const fromFlag = flags[s];
    if (fromFlag !== undefined) setIn(raw, s, fromFlag);
  }
  const config = defaultConfig(cwd);
  const int = (s: Setting, min: number, max: number, set: (n: number) => void): void => {
    const v = getIn(raw, s);
    if (v === undefined) return;
    const n = typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max)
      problems.push(
        `${s} (${envName(s)}): expected an integer from ${min} to ${max}, got ${JSON.stringify(v)}`,
      );
    else set(n);
  };
  const str = (s: Setting, ok: (v: string) => boolean, expected: string, set: (v: string) => void): void => {
    const v = getIn(raw, s);
    if (v === undefined) return;
    if (typeof v !== "string" || !ok(v))
      problems.push(`${s} (${envName(s)}): expected ${expected}, got ${JSON.stringify(v)}`);
    else set(v);
  };
  str(
    "dataDir",
    (v) => v.length > 0,
    "a directory path",
    (v) => (config.dataDir = resolve(cwd, v)),
  );
  const chainId = getIn(raw, "chainId");
  if (chainId !== undefined) {
    const text = String(chainId);
    if (!/^\d{1,19}$/.test(text) || BigInt(text) === 0n || BigInt(text) >= 1n << 64n)
      problems.push(
        `chainId (WEFT_CHAIN_ID): expected a positive 64-bit integer, got ${JSON.stringify(chainId)}`,
      );
    else config.chainId = BigInt(text);
  }
  str(
    "host",
    (v) => v.length > 0,
    "a host name or IP address",
    (v) => (config.host = v),
  );
  int("port", 0, 65_535, (n) => (config.port = n));
  int("workers", 1, 256, (n) => (config.workers = n));
  int("admissionWorkers", 0, 256, (n) => (config.admissionWorkers = n));
  const onOff = (s: Setting, set: (on: boolean) => void): void => {
    const v = getIn(raw, s);
    if (v === undefined) return;
    const on = v === true || v === "true" || v === "on";
    const off = v === false || v === "false" || v === "off";
    if (!on && !off) problems.push(`${s} (${envName(s)}): expected on or off, got ${JSON.stringify(v)}`);
    else set(on);
  };
  onOff("speedRule", (on) => (config.speedRule = on));
  onOff("dev", (on) => (config.dev = on));
  str(
    "checkDb",
    (v) => v === "off" || v === "full",
    "off or full",
    (v) => (config.checkDb = v as NodeConfig["checkDb"]),
  );
  int("blockTimeMs", 10, 3_600_000, (n) => (config.blockTimeMs = n));
  int("maxBlockTxs", 1, 100_000, (n) => (config.maxBlockTxs = n));
  int("blockGasLimit", 1_000_000, 1e15, (n) => (config.blockGasLimit = n));
  int(
    "maxBlockReceiptBytes",
    MAX_RECEIPT_BYTES,
    MAX_BLOCK_RECEIPT_BYTES_LIMIT,
    (n) => (config.maxBlockReceiptBytes = n),
  );
  int("devAccounts", 0, 10_000, (n) => (config.devAccounts = n));
  str(
    "feeRecipient",
    (v) => /^0x[0-9a-fA-F]{40}$/.test(v),
    "an address (0x + 40 hex digits)",
    (v) => (config.feeRecipient = v.toLowerCase() as Address),
  );
  const minBaseFee = getIn(raw, "minBaseFee");
  if (minBaseFee !== undefined) {
    const text = String(minBaseFee);
    if (!/^\d{1,38}$/.test(text))
      problems.push(
        `minBaseFee (WEFT_MIN_BASE_FEE): expected a non-negative integer, got ${JSON.stringify(minBaseFee)}`,
      );
    else config.minBaseFee = BigInt(text);
  }
  str(
    "logLevel",
    (v) => ["debug", "info", "warn", "error"].includes(v),
    'one of "debug", "info", "warn", "error"',
    (v) => (config.logLevel = v as NodeConfig["logLevel"]),
  );
  const multiaddrs = (s: Setting, needPeerId: boolean, set: (v: string[]) => void): void => {
    const v = getIn(raw, s);
    if (v === undefined) return;
    const list = Array.isArray(v)
      ? v
      : typeof v === "string"
        ? v
            .split(",")
            .map((a) => a.trim())
            .filter((a) => a !== "")
        : undefined;
    const bad = list === undefined ? [v] : list.filter((a) => !isMultiaddr(a, needPeerId));
    if (list === undefined || bad.length > 0)
      problems.push(
        `${s} (${envName(s)}): expected multiaddrs separated by commas${needPeerId ? ", each ending in /p2p/<peer id>" : ""}, got ${JSON.stringify(bad[0])}`,
      );
    else set(list as string[]);
  };
  multiaddrs("p2pListen", false, (v) => (config.p2pListen = v));
  multiaddrs("peers", true, (v) => (config.peers = v));
  onOff("peersOnly", (on) => (config.peersOnly = on));
  if (config.peersOnly && config.peers.length === 0)
    problems.push("peersOnly (WEFT_PEERS_ONLY): on needs peers (--peers) to talk to");
  str(
    "nodeKey",
    (v) => v.length > 0,
    "a file path",
    (v) => (config.nodeKey = resolve(cwd, v)),
  );
  int("p2pMaxConnections", 1, 100_000, (n) => (config.p2pMaxConnections = n));
  onOff("stateSync", (on) => (config.stateSync = on));
  str(
    "checkpoint",
    (v) => /^[1-9]\d{0,14}:0x[0-9a-fA-F]{64}$/.test(v),
    "<height>:<block hash>, e.g. 1000:0x3f…(64 hex digits)",
    (v) => {
      const [height, hash] = v.split(":") as [string, string];
      config.checkpoint = { height: Number(height), hash: hash.toLowerCase() };
    },
  );
  if (config.checkpoint !== undefined && !config.stateSync)
    problems.push(`checkpoint (${envName("checkpoint")}): only state sync uses it: add --state-sync on`);
  int("snapshotInterval", 0, 1_000_000_000, (n) => (config.snapshotInterval = n));
  int("consensusMaxPace", 0, 16, (n) => (config.consensusMaxPace = n));
  int("stateHistoryBlocks", 1, MAX_STATE_HISTORY_BLOCKS, (n) => (config.stateHistoryBlocks = n));
  str(
    "genesis",
    (v) => v.length > 0,
    "a file path",
    (v) => (config.genesis = resolve(cwd, v)),
  );
  str(
    "validatorKey",
    (v) => v.length > 0,
    "a file path",
    (v) => (config.validatorKey = resolve(cwd, v)),
  );
  int("mempool.maxTransactions", 1, 10_000_000, (n) => (config.mempool.maxTransactions = n));
  int("mempool.maxPerSender", 1, 100_000, (n) => (config.mempool.maxPerSender = n));
  int("mempool.maxNonceGap", 1, 100_000, (n) => (config.mempool.maxNonceGap = n));
  int("mempool.ttlMs", 1_000, 7 * 24 * 3600_000, (n) => (config.mempool.ttlMs = n));
  int("rpc.maxBodyBytes", 1_024, 256 * 1024 * 1024, (n) => (config.rpc.maxBodyBytes = n));
  int("rpc.maxBatch", 1, 100_000, (n) => (config.rpc.maxBatch = n));
  int("rpc.maxResponseBytes", 1_024, 1024 * 1024 * 1024, (n) => (config.rpc.maxResponseBytes = n));
  int("rpc.requestsPerSecond", 1, 10_000_000, (n) => (config.rpc.requestsPerSecond = n));
  int("rpc.maxConnections", 1, 1_000_000, (n) => (config.rpc.maxConnections = n));
  int("rpc.maxConnectionsPerIp", 1, 1_000_000, (n) => (config.rpc.maxConnectionsPerIp = n));
  int("rpc.headerTimeoutMs", 100, 3_600_000, (n) => (config.rpc.headerTimeoutMs = n));
  int("rpc.bodyTimeoutMs", 100, 3_600_000, (n) => (config.rpc.bodyTimeoutMs = n));
  int("rpc.idleTimeoutMs", 100, 3_600_000, (n) => (config.rpc.idleTimeoutMs = n));
  int("rpc.wsIdleTimeoutMs", 100, 24 * 3_600_000, (n) => (config.rpc.wsIdleTimeoutMs = n));
  int(
    "rpc.subscriptionWorkPerSecond",
    1_000,
    1_000_000_000,
    (n) => (config.rpc.subscriptionWorkPerSecond = n),
  );
  int("rpc.callWorkers", 0, 256, (n) => (config.rpc.callWorkers = n));
  // Weft gas: a WASM call gets at most MAX_TX_GAS of it, an EVM call it / EVM_GAS_WEIGHT EVM
  // gas (at least the block's EVM gas limit), up to EVM_MAX_TX_GAS, which the range ends at.
  int("rpc.callGasCap", 100_000, MAX_CALL_GAS_CAP, (n) => (config.rpc.callGasCap = n));
  int("rpc.callBudgetMs", 1, 1_000_000, (n) => (config.rpc.callBudgetMs = n));
  int("rpc.callBudgetMsTotal", 1, 1_000_000_000, (n) => (config.rpc.callBudgetMsTotal = n));
  int("rpc.callQueue", 1, 1_000_000, (n) => (config.rpc.callQueue = n));
  int("rpc.callQueuePerClient", 1, 1_000_000, (n) => (config.rpc.callQueuePerClient = n));
  int("rpc.callTimeoutMs", 10, 3_600_000, (n) => (config.rpc.callTimeoutMs = n));
  const proxies = getIn(raw, "rpc.trustedProxies");
  if (proxies !== undefined) {
    const list = Array.isArray(proxies)
      ? proxies
      : typeof proxies === "string"
        ? proxies
            .split(",")
            .map((a) => a.trim())
            .filter((a) => a !== "")
        : undefined;
    const bad = list === undefined ? [proxies] : list.filter((a) => typeof a !== "string" || isIP(a) === 0);
    if (list === undefined || bad.length > 0)
      problems.push(
        `rpc.trustedProxies (${envName("rpc.trustedProxies")}): expected IP addresses separated by commas, got ${JSON.stringify(bad[0])}`,
      );
    else config.rpc.trustedProxies = list as string[];
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function isMultiaddr(text: unknown, needPeerId: boolean): boolean {
  if (typeof text !== "string") return false;
  try {
    const address = multiaddr(text);
    return !needPeerId || address.getPeerId() !== null;
  } catch {
    return false;
  }
}
