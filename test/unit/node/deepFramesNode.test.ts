/**
 * Deep and wide call frames on a node: a block run sequentially on the main thread (a
 * small block), the same block on the parallel engine's workers, `weft_call` and
 * `weft_estimateGas` inside the JSON-RPC handler all agree, because the stack budget,
 * never the thread's real stack, decides where recursion stops.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { encodeTx, signingHash, type TxEnvelope } from "../../../src/chain/tx/envelope.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import { type Address, contractAddress } from "../../../src/codec/address.js";
import { keccak256 } from "../../../src/codec/hash.js";
import { nodeMethods } from "../../../src/node/api/index.js";
import { ChainNode } from "../../../src/node/chainNode.js";
import { devSigner } from "../../../src/node/genesis/genesis.js";
import { createRpcServer, type RpcServer } from "../../../src/node/rpc/index.js";
import { balanceKey } from "../../../src/state/keys.js";
import { deepFrameContract, deepFrameInput, type FrameShape } from "../../helpers/deepFrames.js";

const ZERO: Address = "0x0000000000000000000000000000000000000000";
const FEE: Address = "0x00000000000000000000000000000000000000fe";
const SHAPES: FrameShape[] = [
  { kind: "wide", size: 64 },
  { kind: "params", size: 64 },
  { kind: "mixed", size: 400 },
];
const DEPTHS = [1, 150, 600, 2_000, 6_000];
const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString("hex")}`;

interface Running {
  node: ChainNode;
  server: RpcServer;
  url: string;
  dir: string;
}

async function open(minParallelTxs: number): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), "weft-deep-"));
  const node = await ChainNode.open({
    dataDir: dir,
    chainId: 1337n,
    feeRecipient: FEE,
    devAccounts: 4,
    workers: 2,
    blockTimeMs: 60_000,
    maxBlockTxs: 1_000,
    blockGasLimit: 1_000_000_000,
    minParallelTxs,
  });
  const server = createRpcServer({ port: 0, methods: nodeMethods(node) });
  const { url } = await server.listen();
  return { node, server, url, dir };
}

/** The answer of a JSON-RPC call over HTTP: its result or its error object, as the node gave it. */
async function rpc(url: string, method: string, params: unknown[]): Promise<unknown> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: unknown; error?: unknown };
  return body.error === undefined ? { result: body.result } : { error: body.error };
}

function envelope(node: ChainNode, devIndex: number, calls: TxEnvelope["calls"]): TxEnvelope {
  const sender = node.genesis.accounts[devIndex]?.address as Address;
  const env: TxEnvelope = {
    chainId: 1337n,
    sender,
    nonceKey: 0n,
    nonceSequence: node.nextSequence(sender, 0n),
    gasLimit: 50_000_000n,
    maxFee: 10n,
    priorityFee: 1n,
    calls,
    auth: new Uint8Array(0),
  };
  env.auth = devSigner(devIndex).sign(signingHash(env));
  return env;
}

/** Deploys the shapes from dev account 0; returns their addresses. */
async function deploy(r: Running): Promise<Address[]> {
  const deployer = r.node.genesis.accounts[0]?.address as Address;
  const calls = SHAPES.map((shape) => ({
    target: ZERO,
    method: "deploy",
    args: encodeAbi(
      ["bytes", "bytes", "bytes32"],
      [deepFrameContract(shape), new Uint8Array(0), new Uint8Array(32)],
    ),
    value: 0n,
  }));
  r.node.submit(encodeTx(envelope(r.node, 0, calls)));
  await r.node.produceNow();
  return SHAPES.map((shape) =>
    contractAddress(deployer, new Uint8Array(32), keccak256(deepFrameContract(shape)), new Uint8Array(0)),
  );
}

describe("deep frames on a node", () => {
  let sequential: Running;
  let parallel: Running;
  before(async () => {
    sequential = await open(1_000_000); // every block small: sequential, on the main thread
    parallel = await open(0); // every block on the workers
  });
  after(async () => {
    for (const r of [sequential, parallel]) {
      await r.server.close();
      await r.node.close();
      rmSync(r.dir, { recursive: true, force: true });
    }
  });

  it("blocks, weft_call and weft_estimateGas agree on every shape and depth", async () => {
    const contracts = await deploy(sequential);
    assert.deepEqual(await deploy(parallel), contracts);
    const cases = contracts.flatMap((to) => DEPTHS.map((depth) => ({ to, depth })));
    const results: Array<Array<Record<string, unknown>>> = [];
    for (const r of [sequential, parallel]) {
      const out: Array<Record<string, unknown>> = [];
      const hashes: string[] = [];
      for (const [i, c] of cases.entries()) {
        const args = deepFrameInput([], c.depth);
        const call = await rpc(r.url, "weft_call", [{ to: c.to, method: "run", args: hex(args) }]);
        const devIndex = i % 4;
        const sender = r.node.genesis.accounts[devIndex]?.address as Address;
        // A call that fails is answered with an error carrying its revert data: compared too.
        const estimate = await rpc(r.url, "weft_estimateGas", [
          { sender, calls: [{ target: c.to, method: "run", args: hex(args) }] },
        ]);
        out.push({ call, estimate });
        const env = envelope(r.node, devIndex, [{ target: c.to, method: "run", args, value: 0n }]);
        hashes.push(r.node.submit(encodeTx(env)).hash);
        if (devIndex === 3) await r.node.produceNow(); // one transaction per account and block
      }
      await r.node.produceNow();
      hashes.forEach((h, i) => {
        const receipt = r.node.db.receipt(h as `0x${string}`) as {
          status: string;
          gasUsed: number;
          output: string;
        };
        assert.ok(receipt !== undefined, `tx ${i} was included`);
        (out[i] as Record<string, unknown>).receipt = {
          status: receipt.status,
          gasUsed: receipt.gasUsed,
          output: receipt.output,
        };
      });
      // What the blocks wrote (state roots differ: each node's genesis has its own time).
      const written: unknown[] = [];
      for (const to of contracts) {
        const answer = (await rpc(r.url, "weft_getStorage", [to, "0x64", false])) as {
          result: { value: unknown };
        };
        written.push(answer.result.value);
      }
      for (const a of r.node.genesis.accounts) written.push(r.node.state.get(balanceKey(a.address)));
      out.push({ written });
      results.push(out);
    }
    const [seq, par] = results as [Array<Record<string, unknown>>, Array<Record<string, unknown>>];
    cases.forEach((c, i) => {
      assert.deepEqual(par[i], seq[i], `${c.to} at depth ${c.depth}: parallel node, then sequential node`);
    });
    assert.deepEqual(par[cases.length], seq[cases.length], "storage written and balances");
    // The budget decided: shallow calls succeed, the deepest trap.
    const calls = seq
      .slice(0, cases.length)
      .map((r) => (r.call as { result: { status: string } }).result.status);
    assert.equal(calls[0], "success");
    assert.equal(calls[DEPTHS.length - 1], "revert");
  });
});
