/**
 * Hostile log scans (`bench/rpcIsolation.ts`, `--only logs`): a chain holding `txs` flood
 * transactions of `events` one-topic events each, then one client keeps a batch of
 * `eth_getLogs` in flight whose filter (`topics: [null, <nothing>]`) names no index, so
 * each scans every block, receipt and log of the flood blocks, matches nothing and answers
 * `[]` just under the 50,000-read bound: the most work one query may ask for. `/health` is
 * timed meanwhile (what every other client and block production see of the main thread).
 */
import { loadArtifact } from "../../src/chain/artifacts.js";
import { DEPLOY_ARGS, DEPLOY_METHOD, DEPLOY_TARGET } from "../../src/chain/executeEnvelope.js";
import { type Call, encodeTx, signingHash, type TxEnvelope } from "../../src/chain/tx/envelope.js";
import { encodeAbi } from "../../src/codec/abi.js";
import { type Address, contractAddress } from "../../src/codec/address.js";
import { toHex } from "../../src/codec/bytes.js";
import { keccak256 } from "../../src/codec/hash.js";
import { devSigner, type GenesisInfo } from "../../src/node/genesis/genesis.js";
import { RpcCallError, rpc, waitForReceipt } from "../../src/sdk/rpcClient.js";

const NOTHING = `0x${"ee".repeat(32)}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Signs and sends `calls` from dev account 0 with sequence `nonce`; returns the hash. */
async function send(url: string, chainId: bigint, sender: Address, nonce: bigint, calls: Call[]) {
  const env: TxEnvelope = {
    chainId,
    sender,
    nonceKey: 0n,
    nonceSequence: nonce,
    gasLimit: 50_000_000n,
    maxFee: 10n,
    priorityFee: 1n,
    calls,
    auth: new Uint8Array(0),
  };
  env.auth = devSigner(0).sign(signingHash(env));
  const { hash } = await rpc<{ hash: string }>(url, "weft_sendRawTransaction", [`0x${toHex(encodeTx(env))}`]);
  return hash;
}

/** Deploys `flood` and sends `txs` transactions of `events` events each; returns the first flood block. */
export async function floodChain(url: string, txs: number, events: number): Promise<number> {
  const genesis = await rpc<GenesisInfo>(url, "weft_genesis");
  const chainId = BigInt(genesis.chainId);
  const sender = genesis.accounts[0]?.address as Address;
  const { code } = loadArtifact("flood");
  const salt = new Uint8Array(32);
  let nonce = BigInt(await rpc<string>(url, "weft_nextNonce", [sender]));
  const deployed = await send(url, chainId, sender, nonce++, [
    {
      target: DEPLOY_TARGET,
      method: DEPLOY_METHOD,
      args: encodeAbi(DEPLOY_ARGS, [code, new Uint8Array(0), salt]),
      value: 0n,
    },
  ]);
  const first = await waitForReceipt<{ status: string; blockNumber: number }>(url, deployed);
  if (first.status !== "success") throw new Error(`flood deployment: ${first.status}`);
  const flood = contractAddress(sender, salt, keccak256(code), new Uint8Array(0));
  const hashes: string[] = [];
  for (let i = 0; i < txs; i++)
    hashes.push(
      await send(url, chainId, sender, nonce++, [
        { target: flood, method: "flood", args: encodeAbi(["u32", "u32"], [events, 0]), value: 0n },
      ]),
    );
  for (const h of hashes) {
    const receipt = await waitForReceipt<{ status: string; logs: unknown[] }>(url, h, 120_000);
    if (receipt.status !== "success" || receipt.logs.length !== events)
      throw new Error(`flood: ${receipt.status} with ${receipt.logs.length} logs`);
  }
  return first.blockNumber + 1;
}

/** The filter of a scan that reads every flood log and matches none. */
export function emptyScan(fromBlock: number): Record<string, unknown> {
  return { fromBlock: `0x${fromBlock.toString(16)}`, toBlock: "latest", topics: [null, NOTHING] };
}

/** One empty scan, after the client's time budget allows it (waiting `retryAfterMs`); its wall time, ms. */
export async function scanOnce(url: string, fromBlock: number): Promise<number> {
  for (;;) {
    const started = performance.now();
    try {
      await rpc(url, "eth_getLogs", [emptyScan(fromBlock)]);
      return performance.now() - started;
    } catch (error) {
      const wait = (error as RpcCallError).data as { retryAfterMs?: number } | undefined;
      if (!(error instanceof RpcCallError) || error.code !== -32005 || wait?.retryAfterMs === undefined)
        throw error;
      await sleep(wait.retryAfterMs);
    }
  }
}

export interface ScanLoad {
  batches: number;
  /** Answers by "ok" or error code. */
  answers: Record<string, number>;
  /** Wall time of each batch, ms. */
  batchMs: number[];
}

/** Keeps one batch of `batch` empty scans in flight for `ms`. */
export async function loadScans(
  url: string,
  fromBlock: number,
  batch: number,
  ms: number,
): Promise<ScanLoad> {
  const load: ScanLoad = { batches: 0, answers: {}, batchMs: [] };
  const body = JSON.stringify(
    Array.from({ length: batch }, (_, id) => ({
      jsonrpc: "2.0",
      id,
      method: "eth_getLogs",
      params: [emptyScan(fromBlock)],
    })),
  );
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const started = performance.now();
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
    const answers = (await res.json()) as Array<{ result?: unknown; error?: { code: number } }>;
    load.batchMs.push(performance.now() - started);
    load.batches++;
    for (const a of answers) {
      const key = a.error === undefined ? "ok" : String(a.error.code);
      load.answers[key] = (load.answers[key] ?? 0) + 1;
    }
    if (answers.every((a) => a.error !== undefined)) await sleep(20); // all refused: do not spin
  }
  return load;
}
