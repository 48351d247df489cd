/** `weft node`: start a local single-node chain (see src/node/config.ts for every setting). */
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { ConfigError, envName, loadConfig, SETTINGS, type Setting } from "../node/config.js";
import type { GenesisInfo } from "../node/genesis/genesis.js";
import { createLogger } from "../node/logger.js";
import { startNode } from "../node/server.js";
import { networkBannerLines } from "./networkBanner.js";

const HELP: Record<Setting, string> = {
  dataDir: "chain database directory (default ./.weft/data)",
  chainId: "chain id (default 1337)",
  host: "RPC interface (default 127.0.0.1)",
  port: "RPC port, HTTP and WebSocket (default 8545)",
  workers: "engine worker threads (default: one per core)",
  admissionWorkers: "threads validating submitted transactions, 0 = main thread (default: one per core)",
  speedRule: "on | off: run blocks sequentially while that measures faster than parallel (default off)",
  dev: "on | off: dev mode, a block per arriving transaction and the dev_* RPC methods (default on)",
  checkDb:
    "off | full: at startup, check every record of the chain database (state root from scratch, Merkle links, block links) and refuse a damaged one (default off)",
  blockTimeMs:
    "produce a block this often when transactions wait (default 1000); with --validator-key, the pause after each block before the next height: a block per interval, with transactions or without",
  maxBlockTxs: "most transactions per block; a full block's worth is produced at once (default 10000)",
  blockGasLimit: "block gas limit (default 3000000000)",
  maxBlockReceiptBytes:
    "most bytes of return data and events a block's receipts hold; the block is cut there and the rest waits (default 16777216, at least 348160: one receipt's most)",
  devAccounts: "prefunded development accounts created at genesis (default 10)",
  feeRecipient: "address credited with fees (the priority part; the base fee is burned)",
  minBaseFee: "lowest base fee per gas, also block 0's (default 1)",
  logLevel: "debug | info | warn | error (default info)",
  p2pListen:
    "multiaddrs the peer-to-peer host listens on, comma-separated, e.g. /ip4/0.0.0.0/tcp/26656 (default none: no networking)",
  peers: "peers to keep connected, comma-separated multiaddrs ending in /p2p/<peer id>",
  peersOnly:
    "on | off: talk to --peers only, at their configured addresses; refuse every other peer (a validator behind sentries; default off)",
  nodeKey: "the node's libp2p key file, created with mode 0600 if missing (default <data-dir>/node.key)",
  p2pMaxConnections: "most peer-to-peer connections (default 64)",
  genesis:
    "a validator network's genesis file (weft genesis new): chain id, block 0, validators; without --validator-key the node is a full node that follows the chain from --peers",
  validatorKey:
    "this validator's BLS key file: with --genesis, the node votes in consensus (needs --p2p-listen)",
  stateSync:
    "on | off: with --genesis and --peers, a new data directory starts from a peer's state snapshot at a recent certified height (verified from the genesis validator set, epoch by epoch) instead of replaying every block; a directory with blocks follows from its head (default off)",
  checkpoint:
    "<height>:<hash> of a block you trust (an epoch's last block): with --state-sync on, only a snapshot whose epoch chain passes through it is accepted, and the epochs before it are skipped (default none: trust the genesis set)",
  snapshotInterval:
    "on a validator network, take a state snapshot every this many blocks to serve nodes that state-sync (default 1000, 0 = none)",
  consensusMaxPace:
    "on a validator network, most rounds of timeout a height starts ahead by after slow heights (default 4; 0 = every height starts at round 0's timeouts, as in the paper)",
  stateHistoryBlocks:
    "how many recent blocks' states stay readable by eth_getBalance, eth_call … at a block number (default 128: the head and the 127 before it; each block keeps the values it replaced; at most 10000)",
  "mempool.maxTransactions": "pending transactions kept at most (default 100000)",
  "mempool.maxPerSender": "pending transactions per sender (default 1024)",
  "mempool.maxNonceGap": "how far ahead of the chain a sender's nonce may run (default 1024)",
  "mempool.ttlMs": "pending transactions expire after this long (default 3 h)",
  "rpc.maxBodyBytes": "largest RPC request (default 1 MiB)",
  "rpc.maxBatch": "most requests in one batch (default 1000)",
  "rpc.maxResponseBytes":
    "most bytes the answers of one request or batch may take (default 67108864: 64 MiB)",
  "rpc.requestsPerSecond": "rate limit per connection / remote address (default 100000)",
  "rpc.maxConnections": "most open RPC connections, HTTP and WebSocket (default 1000)",
  "rpc.maxConnectionsPerIp": "most open RPC connections from one remote address (default 256)",
  "rpc.headerTimeoutMs": "a request's headers must arrive within this (default 10000)",
  "rpc.bodyTimeoutMs": "a request's body must arrive within this after its headers (default 10000)",
  "rpc.idleTimeoutMs": "close HTTP keep-alive connections idle this long (default 5000)",
  "rpc.wsIdleTimeoutMs": "close WebSockets with no request and no subscription for this long (default 60000)",
  "rpc.subscriptionWorkPerSecond":
    "work units of publishing to its subscriptions a client earns per second, ~1 per filter entry checked and 40 per notification; past them its WebSockets are closed (default 500000)",
  "rpc.callWorkers":
    "threads running weft_call and weft_estimateGas, 0 = main thread (default: half the cores)",
  "rpc.callGasCap":
    "most Weft gas one read-only call may use (up to 8388608000): a WASM call at most 1000000000 of it, an EVM call (eth_call, eth_estimateGas) it / 500 in EVM gas but at least the block's EVM gas limit (default 1000000000)",
  "rpc.callBudgetMs":
    "ms of read-only execution each client network (IPv4 /24, IPv6 /64) earns per second (default 1000)",
  "rpc.callBudgetMsTotal":
    "ms of read-only execution all clients together earn per second (default 1000 per call worker)",
  "rpc.callQueue": "most read-only calls waiting in all (default 1000)",
  "rpc.callQueuePerClient": "most read-only calls waiting per client network (default 100)",
  "rpc.callTimeoutMs": "most ms one read-only call may run on a worker, then -32009 (default 5000)",
  "rpc.trustedProxies":
    "reverse proxies in front of the node, comma-separated IP addresses: their X-Forwarded-For names the client (default none: the header is ignored)",
};

function flagOf(setting: Setting): string {
  return `--${setting
    .replace(".", "-")
    .replace(/([a-z])([A-Z])/g, "$1-$2")
    .toLowerCase()}`;
}

function optionKey(setting: Setting): string {
  return flagOf(setting)
    .slice(2)
    .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** This CLI's entry point (dist/src/cli/weft.js), for the banner's alias. */
const WEFT_JS = fileURLToPath(new URL("./weft.js", import.meta.url));

/** How the banner's examples call the CLI: a prefix, and lines to run first (an alias). */
export interface Invocation {
  prefix: string;
  setup: string[];
}

/**
 * The way the user started this command, so the banner's examples can be pasted as they
 * are: `npx weft` under npx / npm exec, `weft` when run through the installed `weft` bin,
 * and otherwise (`npm start` in the repository, `node dist/src/cli/weft.js`) `weft` after
 * an alias to this file.
 */
export function invocationOf(
  env: NodeJS.ProcessEnv = process.env,
  script = process.argv[1] ?? "",
): Invocation {
  if (env.npm_command === "exec") return { prefix: "npx weft", setup: [] };
  if (basename(script) === "weft") return { prefix: "weft", setup: [] };
  return { prefix: "weft", setup: [`alias weft="node ${WEFT_JS}"`] };
}

/**
 * What `weft node` prints on stderr once it serves a local chain: where everything is, the
 * development keys, what to do next (a node on a validator network prints `networkBanner.ts`).
 */
export function bannerLines(
  genesis: GenesisInfo,
  address: { url: string; wsUrl: string },
  dev = false,
  invocation: Invocation = invocationOf(),
): string[] {
  const weft = invocation.prefix;
  const url = address.url.replace(/\/$/, "");
  // The commands with a description beside them, aligned on the longest (however weft is invoked).
  const width = Math.max(31, `${weft} airdrop claim dev1 --from dev1`.length + 1);
  const lines = [
    "",
    "Weft local chain",
    `  JSON-RPC   ${url}  (WebSocket ${address.wsUrl})`,
    `  explorer   ${url}/explorer`,
    `  metrics    ${url}/metrics`,
    `  chain id   ${genesis.chainId}`,
    dev
      ? '  dev mode   on: a block as soon as a transaction arrives; dev_* RPC methods (docs/rpc.md, "Dev mode")'
      : "  dev mode   off: blocks on the block timer; dev_* RPC methods refused",
    "",
    "Development accounts (ed25519 smart accounts; never use these keys on a real network):",
  ];
  genesis.accounts.forEach((a, i) => {
    lines.push(`  dev${i}  ${a.address}`, `        secret key ${a.secretKey}`);
  });
  const eth = genesis.ethAccounts ?? [];
  if (eth.length > 0) {
    lines.push(
      "",
      'Ethereum accounts (10,000 coin each; mnemonic "test test test test test test test test test test test junk",',
      "m/44'/60'/0'/0/i; never use these keys on a real network):",
    );
    eth.forEach((a, i) => {
      lines.push(`  eth${i}  ${a.address}`, `        private key 0x${a.privateKey}`);
    });
  }
  lines.push("", "Contracts (the CLI knows them by name):");
  for (const [name, at] of Object.entries(genesis.contracts)) lines.push(`  ${name.padEnd(17)} ${at}`);
  lines.push(
    "",
    "Next, in another terminal:",
    ...invocation.setup.map((line) => `  ${line}`),
    ...(url === "http://127.0.0.1:8545" ? [] : [`  export WEFT_RPC=${url}`]),
    `  ${`${weft} account show dev0`.padEnd(width)} balances of development account 0`,
    `  ${weft} send 0x00000000000000000000000000000000000000ab 1.5 --from dev0`,
    `  ${weft} call wusd balanceOf ${genesis.accounts[0]?.address ?? "<address>"}`,
    ...(genesis.contracts.sale === undefined
      ? []
      : [
          `  ${`${weft} sale show`.padEnd(width)} the WLAUNCH token sale: price, raised, caps, time left`,
          `  ${`${weft} airdrop claim dev1 --from dev1`.padEnd(width)} the genesis airdrop (docs/sales.md)`,
        ]),
    ...(eth.length === 0
      ? []
      : [
          `  ${weft} send 0x00000000000000000000000000000000000000ab 1.5 --from eth0   (an Ethereum transaction)`,
          `  viem/ethers/cast: RPC ${url}, chain id ${genesis.chainId}, eth0's private key above; e.g. with viem:`,
          `    createWalletClient({ account: privateKeyToAccount("0x${eth[0]?.privateKey ?? "…"}"),`,
          `      chain: { id: ${genesis.chainId}, name: "weft", nativeCurrency: { name: "coin", symbol: "COIN", decimals: 18 }, rpcUrls: { default: { http: ["${url}"] } } }, transport: http() })`,
          '  the README\'s "Ethereum tools and Solidity" section: viem, ethers, Solidity, gas limits',
        ]),
    `  open ${url}/explorer to watch blocks and transactions`,
    'The README\'s "command line" section walks through keys, accounts, deploys and proofs.',
    "Ctrl-C stops the node; starting it again resumes the chain.",
    "",
  );
  return lines;
}

export function addNodeCommand(program: Command): void {
  const cmd = program
    .command("node")
    .description(
      "start a local chain: genesis with dev accounts and the DeFi suite, JSON-RPC on HTTP and WebSocket",
    )
    .option("--config <file>", "JSON configuration file (also WEFT_CONFIG)");
  for (const s of SETTINGS) cmd.option(`${flagOf(s)} <value>`, `${HELP[s]} [env ${envName(s)}]`);
  cmd.action(async (opts: Record<string, string | undefined>) => {
    const flags: Partial<Record<Setting, unknown>> & { config?: string } = {};
    if (opts.config !== undefined) flags.config = opts.config;
    for (const s of SETTINGS) {
      const v = opts[optionKey(s)];
      if (v !== undefined) flags[s] = v;
    }
    let config: ReturnType<typeof loadConfig>;
    try {
      config = loadConfig(flags);
    } catch (error) {
      if (error instanceof ConfigError) {
        process.stderr.write(`${error.message}\n`);
        process.exit(2);
      }
      throw error;
    }
    const logger = createLogger(config);
    const running = await startNode(config, logger);
    const banner =
      config.genesis === undefined
        ? bannerLines(running.node.genesis, running.address, running.node.options.dev === true)
        : networkBannerLines({
            running,
            genesisFile: config.genesis,
            validatorKey: config.validatorKey,
            peers: config.peers,
          });
    process.stderr.write(`${banner.join("\n")}\n`);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, "stopping");
      running.close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ error: String(error) }, "stop failed");
          process.exit(1);
        },
      );
    };
    process.on("SIGINT", () => stop("SIGINT"));
    process.on("SIGTERM", () => stop("SIGTERM"));
  });
}
