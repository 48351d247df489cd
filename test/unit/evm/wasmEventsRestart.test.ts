/**
 * A verified WASM contract's events in Ethereum's form after a restart: a user's contract
 * (the `probe`, not shipped code) is deployed, emits an event and is verified; the node
 * stops and starts again on the same data; `eth_getLogs` by the event's Ethereum topic 0
 * alone (no address: the contract is never met first) finds the log in Ethereum's form.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { pino } from "pino";
import { decodeEventLog, encodeEventTopics, type Hex, parseAbi } from "viem";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import { DEPLOY_ARGS, DEPLOY_METHOD, DEPLOY_TARGET } from "../../../src/chain/executeEnvelope.js";
import type { Call } from "../../../src/chain/tx/envelope.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { toHex } from "../../../src/codec/bytes.js";
import { loadConfig } from "../../../src/node/config.js";
import type { GenesisInfo } from "../../../src/node/genesis/genesis.js";
import { type RunningNode, startNode } from "../../../src/node/server.js";
import { rpc, waitForReceipt } from "../../../src/sdk/rpcClient.js";
import { callsRaw } from "../../helpers/nodeTx.js";

const ABI = parseAbi([
  "event Noted(string indexed key, uint256 indexed index, string value, uint256 amount)",
]);

interface EthLog {
  address: Hex;
  topics: [Hex, ...Hex[]];
  data: Hex;
}

async function start(dir: string): Promise<RunningNode> {
  const config = loadConfig({ dataDir: dir, port: 0, blockTimeMs: 50, devAccounts: 2, workers: 1 }, {});
  config.admissionWorkers = 0;
  return startNode(config, pino({ level: "silent" }));
}

describe("a verified WASM contract's events after a restart", () => {
  const dir = mkdtempSync(join(tmpdir(), "weft-events-restart-"));
  let running: RunningNode | undefined;
  after(async () => {
    await running?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("eth_getLogs by Ethereum topic 0 alone finds it without the contract being met again", async () => {
    running = await start(dir);
    const url = running.address.url;
    const genesis = await rpc<GenesisInfo>(url, "weft_genesis");
    const dev0 = genesis.accounts[0]?.address as Address;
    const chainId = BigInt(genesis.chainId);
    const probe = loadArtifact("probe");
    const send = async (calls: Call[], sequence: bigint) => {
      const raw = callsRaw({ chainId, sender: dev0, devIndex: 0, sequence, gasLimit: 20_000_000n }, calls);
      const { hash } = await rpc<{ hash: string }>(url, "weft_sendRawTransaction", [`0x${toHex(raw)}`]);
      return waitForReceipt<{ status: string; contractAddress?: Address; blockNumber: number }>(url, hash);
    };
    const deploy = encodeAbi(DEPLOY_ARGS, [probe.code, new Uint8Array(0), new Uint8Array(32)]);
    const deployed = await send(
      [{ target: DEPLOY_TARGET, method: DEPLOY_METHOD, args: deploy, value: 0n }],
      0n,
    );
    const at = deployed.contractAddress as Address;
    const args = encodeAbi(["string", "u32", "string", "u128"], ["k", 7, "hello", 123n]);
    const noted = await send([{ target: at, method: "note", args, value: 0n }], 1n);
    assert.equal(noted.status, "success");
    await rpc(url, "weft_verifyContract", [at, probe.metadata, `0x${toHex(probe.code)}`]);
    await running.close();
    running = undefined;

    running = await start(dir);
    const again = running.address.url;
    const topic0 = encodeEventTopics({ abi: ABI, eventName: "Noted" })[0];
    const logs = await rpc<EthLog[]>(again, "eth_getLogs", [
      { fromBlock: "0x0", toBlock: "latest", topics: [topic0] },
    ]);
    assert.equal(logs.length, 1, JSON.stringify(logs));
    const [log] = logs as [EthLog];
    assert.equal(log.address, at);
    const decoded = decodeEventLog({ abi: ABI, topics: log.topics, data: log.data });
    assert.deepEqual([decoded.args.index, decoded.args.value, decoded.args.amount], [7n, "hello", 123n]);
  });
});
