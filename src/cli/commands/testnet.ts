/**
 * `weft testnet --validators 4 --dir <d> --port <p>`: a local validator network in one
 * command (src/node/testnet/): a `weft node` process per validator, each with its keys, data
 * directory and JSON-RPC on `p + i`. Prints where everything is; Ctrl-C (SIGINT) or SIGTERM
 * stops every node cleanly, and running it again on the same directory resumes the chain.
 */
import { join } from "node:path";
import type { Command } from "commander";
import { TestnetError } from "../../node/testnet/errors.js";
import { type RunningTestnet, startTestnet, TESTNET_SNAPSHOT_INTERVAL } from "../../node/testnet/launch.js";
import { UsageError } from "../output.js";

function integer(text: string, flag: string): number {
  if (!/^[0-9]{1,9}$/.test(text)) throw new UsageError(`${flag}: an integer, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** What a user needs once the network serves. */
export function testnetLines(net: RunningTestnet): string[] {
  const first = net.members[0]?.url ?? "";
  return [
    "",
    `Weft testnet: ${net.members.length} validators, chain ${net.layout.chainId}`,
    `  directory  ${net.layout.dir} (genesis.json, validator-<i>/ keys, data and node.log)`,
    ...net.members.flatMap((m) => [
      `  validator ${m.index}  JSON-RPC ${m.url}  explorer ${m.explorerUrl}  (pid ${m.child.pid})`,
      `               p2p ${m.p2p}`,
    ]),
    "",
    "A full node joins with (its own --data-dir and --port):",
    `  weft node --genesis ${join(net.layout.dir, "genesis.json")} --data-dir <dir> --port <port> \\`,
    `    --peers ${net.members.map((m) => m.p2p).join(",")}`,
    "",
    "Development accounts dev0-dev9 and eth0-eth9 are funded and operate the validators:",
    "their keys are published, so this network is for testing only (docs/validators.md).",
    "",
    "Next, in another terminal:",
    `  export WEFT_RPC=${first}`,
    "  weft account show dev0",
    "  weft send 0x00000000000000000000000000000000000000ab 1.5 --from dev0",
    "  weft validator list",
    "Ctrl-C stops every validator; running the same command again resumes the chain.",
    "",
  ];
}

export function addTestnetCommand(program: Command): void {
  program
    .command("testnet")
    .description("start a local network of validator processes, each with its own keys, data and JSON-RPC")
    .option("--validators <n>", "how many validators (1 to 16)", "4")
    .option(
      "--dir <dir>",
      "where the network's genesis, keys and databases live (reused to resume)",
      ".weft/testnet",
    )
    .option("--port <port>", "validator i serves JSON-RPC and its explorer on port + i", "8545")
    .option("--p2p-port <port>", "validator i listens for peers on this + i (default --port + 100)")
    .option("--chain-id <id>", "a new network's chain id", "4242")
    .option("--block-time-ms <ms>", "a block per this many ms, with transactions or without", "1000")
    .option(
      "--snapshot-interval <blocks>",
      "each validator offers a state-sync snapshot every this many blocks (0: none)",
      String(TESTNET_SNAPSHOT_INTERVAL),
    )
    .action(async (opts: Record<string, string | undefined>) => {
      const port = integer(String(opts.port), "--port");
      let net: RunningTestnet;
      try {
        net = await startTestnet({
          dir: String(opts.dir),
          validators: integer(String(opts.validators), "--validators"),
          port,
          ...(opts.p2pPort === undefined ? {} : { p2pPort: integer(opts.p2pPort, "--p2p-port") }),
          chainId: BigInt(integer(String(opts.chainId), "--chain-id")),
          blockTimeMs: integer(String(opts.blockTimeMs), "--block-time-ms"),
          snapshotInterval: integer(String(opts.snapshotInterval), "--snapshot-interval"),
        });
      } catch (error) {
        if (error instanceof TestnetError && error.usage)
          throw new UsageError(`${error.code}: ${error.message}`, error.details);
        throw error;
      }
      // The banner is the command's output (stdout); logs and stop notices go to stderr.
      process.stdout.write(`${testnetLines(net).join("\n")}\n`);
      let stopping = false;
      const stop = (why: string, code: number) => {
        if (stopping) return;
        stopping = true;
        process.stderr.write(`${why}: stopping ${net.members.length} validators\n`);
        net.stop().then(
          () => {
            process.stderr.write("testnet stopped\n");
            process.exit(code);
          },
          (error: unknown) => {
            process.stderr.write(`weft: stopping failed: ${String(error)}\n`);
            process.exit(1);
          },
        );
      };
      process.on("SIGINT", () => stop("SIGINT", 0));
      process.on("SIGTERM", () => stop("SIGTERM", 0));
      for (const m of net.members) {
        void m.exited.then((code) => {
          if (!stopping) stop(`validator ${m.index} exited (${code}; its log: ${m.log})`, 1);
        });
      }
    });
}
