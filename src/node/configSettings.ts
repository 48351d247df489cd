/**
 * The names of the node's settings, flat ("mempool.maxTransactions"), as a config file,
 * environment variables (`envName`) and flags name them, and reading or setting one in a
 * nested object.
 */

/** Flat names of every setting, as used in env vars (WEFT_ + upper snake case) and flags (kebab case). */
export const SETTINGS = [
  "dataDir",
  "chainId",
  "host",
  "port",
  "workers",
  "admissionWorkers",
  "speedRule",
  "dev",
  "checkDb",
  "blockTimeMs",
  "maxBlockTxs",
  "blockGasLimit",
  "maxBlockReceiptBytes",
  "devAccounts",
  "feeRecipient",
  "minBaseFee",
  "logLevel",
  "p2pListen",
  "peers",
  "peersOnly",
  "nodeKey",
  "p2pMaxConnections",
  "genesis",
  "validatorKey",
  "stateSync",
  "checkpoint",
  "snapshotInterval",
  "consensusMaxPace",
  "stateHistoryBlocks",
  "mempool.maxTransactions",
  "mempool.maxPerSender",
  "mempool.maxNonceGap",
  "mempool.ttlMs",
  "rpc.maxBodyBytes",
  "rpc.maxBatch",
  "rpc.maxResponseBytes",
  "rpc.requestsPerSecond",
  "rpc.maxConnections",
  "rpc.maxConnectionsPerIp",
  "rpc.headerTimeoutMs",
  "rpc.bodyTimeoutMs",
  "rpc.idleTimeoutMs",
  "rpc.wsIdleTimeoutMs",
  "rpc.subscriptionWorkPerSecond",
  "rpc.callWorkers",
  "rpc.callGasCap",
  "rpc.callBudgetMs",
  "rpc.callBudgetMsTotal",
  "rpc.callQueue",
  "rpc.callQueuePerClient",
  "rpc.callTimeoutMs",
  "rpc.trustedProxies",
] as const;
export type Setting = (typeof SETTINGS)[number];

export function envName(setting: Setting): string {
  return `WEFT_${setting
    .replace(".", "_")
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .toUpperCase()}`;
}

export function setIn(target: Record<string, unknown>, path: string, value: unknown): void {
  const [head, tail] = path.split(".") as [string, string | undefined];
  if (tail === undefined) target[head] = value;
  else {
    if (target[head] === undefined) target[head] = {};
    (target[head] as Record<string, unknown>)[tail] = value;
  }
}

export function getIn(source: Record<string, unknown>, path: string): unknown {
  const [head, tail] = path.split(".") as [string, string | undefined];
  const v = source[head];
  if (tail === undefined) return v;
  return typeof v === "object" && v !== null ? (v as Record<string, unknown>)[tail] : undefined;
}
