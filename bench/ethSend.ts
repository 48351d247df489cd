/**
 * Ethereum transactions through a node as clients send them: `--txs` pre-signed EIP-1559 coin
 * transfers from the test mnemonic's 10 accounts, posted to `eth_sendRawTransaction` in
 * JSON-RPC batches of 100, beside the same number of Weft envelope coin transfers (ed25519
 * dev accounts) posted to `weft_sendRawTransaction`, on a `weft node` child process (dev mode
 * off, a block every `--block-time-ms`). Per kind and round: wall µs per transaction to have
 * every one admitted, and committed transactions per second until the last receipt. Rounds
 * alternate the kinds; each round starts a fresh node.
 *
 *   node dist/bench/ethSend.js [--txs 2000] [--rounds 3] [--block-time-ms 200]
 *
 * Prints the medians and writes bench/results/eth-send.json.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Address } from "../src/codec/address.js";
import type { GenesisInfo } from "../src/node/genesis/genesis.js";
import { launchNode } from "../src/node/launch.js";
import { ethDevKeys } from "../src/sdk/ethDevKeys.js";
import { rpc } from "../src/sdk/rpcClient.js";
import { signEthTxRaw } from "../test/helpers/ethAccounts.js";
import { callsRaw } from "../test/helpers/nodeTx.js";
import { benchArgs } from "./lib/args.js";
import { machineInfo, median, printTable, writeJson } from "./lib/report.js";

const args = benchArgs("node dist/bench/ethSend.js [--txs 2000] [--rounds 3] [--block-time-ms 200]", {
  options: {
    txs: { type: "string", default: "2000" },
    rounds: { type: "string", default: "3" },
    "block-time-ms": { type: "string", default: "200" },
  },
});
const TXS = Number(args.txs);
const ROUNDS = Number(args.rounds);
const SENDERS = 10;
const TO: Address = "0x00000000000000000000000000000000000000ab";
const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString("hex")}`;

type Kind = "eth" | "weft";

function signed(kind: Kind, genesis: GenesisInfo): string[] {
  const out: string[] = [];
  const eth = ethDevKeys(SENDERS).map((k) => ({ key: k.privateKey, address: k.address }));
  for (let i = 0; i < TXS; i++) {
    const who = i % SENDERS;
    const nonce = BigInt(Math.floor(i / SENDERS));
    if (kind === "eth") {
      const from = eth[who] as { key: Uint8Array; address: Address };
      out.push(
        hex(
          signEthTxRaw(
            from,
            { nonce, to: TO, value: 1n, gasLimit: 21_000n, maxFee: 1_000n, priorityFee: 1n },
            1337n,
          ),
        ),
      );
    } else {
      const sender = genesis.accounts[who]?.address as Address;
      const raw = callsRaw(
        {
          chainId: 1337n,
          sender,
          devIndex: who,
          sequence: nonce,
          maxFee: 1_000n,
          priorityFee: 1n,
          gasLimit: 2_000_000n,
        },
        [{ target: TO, method: "", args: new Uint8Array(0), value: 1n }],
      );
      out.push(hex(raw));
    }
  }
  return out;
}

async function round(kind: Kind): Promise<{ admitUs: number; tps: number }> {
  const dir = mkdtempSync(join(tmpdir(), "weft-ethsend-"));
  const node = await launchNode(dir, [
    "--port",
    "0",
    "--dev",
    "off",
    "--dev-accounts",
    String(SENDERS),
    "--block-time-ms",
    args["block-time-ms"] as string,
  ]);
  try {
    const genesis = await rpc<GenesisInfo>(node.url, "weft_genesis");
    const raws = signed(kind, genesis);
    const method = kind === "eth" ? "eth_sendRawTransaction" : "weft_sendRawTransaction";
    const t0 = performance.now();
    const hashes: string[] = [];
    for (let at = 0; at < raws.length; at += 100) {
      const body = raws
        .slice(at, at + 100)
        .map((raw, i) => ({ jsonrpc: "2.0", id: at + i, method, params: [raw] }));
      const res = await fetch(node.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      for (const answer of (await res.json()) as Array<{ result?: unknown; error?: { message: string } }>) {
        if (answer.error !== undefined) throw new Error(`${kind}: ${answer.error.message}`);
        hashes.push(
          typeof answer.result === "string" ? answer.result : (answer.result as { hash: string }).hash,
        );
      }
    }
    const admitted = performance.now();
    const last = hashes[hashes.length - 1] as string;
    const receipt = kind === "eth" ? "eth_getTransactionReceipt" : "weft_getReceipt";
    while ((await rpc<unknown>(node.url, receipt, [last])) === null)
      await new Promise((r) => setTimeout(r, 20));
    const done = performance.now();
    return { admitUs: ((admitted - t0) * 1000) / TXS, tps: TXS / ((done - t0) / 1000) };
  } finally {
    node.child.kill("SIGTERM");
    await node.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

const results: Record<Kind, Array<{ admitUs: number; tps: number }>> = { eth: [], weft: [] };
for (let r = 0; r < ROUNDS; r++)
  for (const kind of (r % 2 === 0 ? ["eth", "weft"] : ["weft", "eth"]) as Kind[])
    results[kind].push(await round(kind));
const rows = (["eth", "weft"] as Kind[]).map((kind) => ({
  kind,
  admitUsPerTx: Math.round(median(results[kind].map((x) => x.admitUs))),
  committedTps: Math.round(median(results[kind].map((x) => x.tps))),
}));
printTable(
  ["kind", "admission wall µs/tx (median)", "committed tx/s to last receipt (median)"],
  rows.map((r) => [r.kind, r.admitUsPerTx, r.committedTps]),
);
writeJson("bench/results/eth-send.json", {
  machine: machineInfo(),
  params: { txs: TXS, rounds: ROUNDS, blockTimeMs: args["block-time-ms"] },
  rows,
  raw: results,
});
