/**
 * How long a developer's transaction waits for its receipt, one after another as a script or
 * the CLI sends them (submit, then poll the receipt every 20 ms), on a node in dev mode
 * (automine) and on one with dev mode off (a block every `--block-time-ms`, 1000 by default
 * as `weft node`'s).
 *
 *   node dist/bench/automine.js [--txs 20] [--block-time-ms 1000]
 *
 * Prints a table and writes bench/results/automine.json.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Address } from "../src/codec/address.js";
import type { GenesisInfo } from "../src/node/genesis/genesis.js";
import { launchNode } from "../src/node/launch.js";
import { rpc } from "../src/sdk/rpcClient.js";
import { tokenTransferRaw } from "../test/helpers/nodeTx.js";
import { benchArgs } from "./lib/args.js";
import { machineInfo, median, printTable, writeJson } from "./lib/report.js";

const args = benchArgs("node dist/bench/automine.js [--txs 20] [--block-time-ms 1000]", {
  options: {
    txs: { type: "string", default: "20" },
    "block-time-ms": { type: "string", default: "1000" },
  },
});
const txs = Number(args.txs);
const blockTimeMs = args["block-time-ms"] as string;
const TO: Address = "0x00000000000000000000000000000000000000ab";

async function latencies(dev: "on" | "off"): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), "weft-automine-"));
  const node = await launchNode(dir, ["--port", "0", "--dev", dev, "--block-time-ms", blockTimeMs]);
  try {
    const genesis = await rpc<GenesisInfo>(node.url, "weft_genesis");
    const sender = genesis.accounts[0]?.address as Address;
    const wusd = genesis.contracts.wusd as Address;
    const out: number[] = [];
    for (let i = 0; i < txs; i++) {
      const raw = tokenTransferRaw(
        { chainId: 1337n, sender, devIndex: 0, sequence: BigInt(i) },
        wusd,
        TO,
        1n,
      );
      const t0 = performance.now();
      const { hash } = await rpc<{ hash: string }>(node.url, "weft_sendRawTransaction", [
        `0x${Buffer.from(raw).toString("hex")}`,
      ]);
      while ((await rpc<unknown>(node.url, "weft_getReceipt", [hash])) === null)
        await new Promise((resolve) => setTimeout(resolve, 20));
      out.push(performance.now() - t0);
    }
    return out;
  } finally {
    node.child.kill("SIGTERM");
    await node.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows: Array<{ dev: string; txs: number; medianMs: number; maxMs: number }> = [];
for (const dev of ["on", "off"] as const) {
  const ms = await latencies(dev);
  rows.push({ dev, txs: ms.length, medianMs: Math.round(median(ms)), maxMs: Math.round(Math.max(...ms)) });
}
printTable(
  ["dev mode", "transactions", "median ms to receipt", "max ms"],
  rows.map((r) => [r.dev, r.txs, r.medianMs, r.maxMs]),
);
writeJson("bench/results/automine.json", { machine: machineInfo(), params: { txs, blockTimeMs }, rows });
