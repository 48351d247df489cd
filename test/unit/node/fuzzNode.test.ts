/**
 * Fuzzing read-only execution against blocks: the fuzzer's random contracts
 * (`test/helpers/fuzzBlock.ts`, `wasmFuzz.ts`) are deployed on a node, and for each random
 * call, before it is sent, `weft_call` (on a read-only worker) and `weft_estimateGas` without
 * `auth` are asked; then the transaction runs alone in a block on the parallel engine's
 * workers. It is signed with the gas limit that leaves its call exactly the node's
 * read-only gas cap, so every answer must equal the block's receipt: the call's status,
 * output, events and gas (plus the envelope's intrinsic and validation gas), the estimate's
 * gas (exact for the ed25519 dev accounts), and a failing call's revert data in the
 * estimate's error. Then the same call is signed again with the fuzzer's gas limit (at most
 * the cap, which bounds an estimate with `auth`): `weft_estimateGas` with that `auth` must
 * be the gas its block charges, success, revert or out of gas.
 *
 * The seed is fixed, so CI runs the same calls every time, in a few seconds. Soak:
 * `WEFT_FUZZ=<rounds> node scripts/run-tests.mjs fuzzNode` (`WEFT_FUZZ_SEED=<n>` moves the
 * starting seed); a failure names the round's seed and the call.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { encodeTx, signingHash, type TxEnvelope } from "../../../src/chain/tx/envelope.js";
import { validateEnvelope } from "../../../src/chain/validateEnvelope.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import { type Address, contractAddress } from "../../../src/codec/address.js";
import { toHex } from "../../../src/codec/bytes.js";
import { keccak256 } from "../../../src/codec/hash.js";
import { nodeMethods } from "../../../src/node/api/index.js";
import { ChainNode } from "../../../src/node/chainNode.js";
import { devSigner } from "../../../src/node/genesis/genesis.js";
import { createRpcServer, type RpcServer } from "../../../src/node/rpc/index.js";
import { TxState } from "../../../src/vm/txState.js";
import { fuzzCalls, fuzzCode, PROGRAMS } from "../../helpers/fuzzBlock.js";

const ROUNDS = Number(process.env.WEFT_FUZZ ?? 1);
const FIRST_SEED = Number(process.env.WEFT_FUZZ_SEED ?? 20_261_206);
/** Calls per round, each alone in its block. */
const CALLS = 16;
/** The node's read-only gas cap, and the gas every transaction's call gets. */
const CALL_GAS = 2_000_000;
const DEV = 4;
const ZERO: Address = "0x0000000000000000000000000000000000000000";
const FEE: Address = "0x00000000000000000000000000000000000000fe";
const hex = (b: Uint8Array) => `0x${toHex(b)}`;

interface Answer {
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

async function rpc(url: string, method: string, params: unknown[]): Promise<Answer> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return (await res.json()) as Answer;
}

interface Log {
  address: string;
  topics: string[];
  data: string;
}

describe(`fuzz: random contracts, weft_call and weft_estimateGas against blocks (${ROUNDS} round(s) from seed ${FIRST_SEED})`, () => {
  let node: ChainNode;
  let server: RpcServer;
  let url: string;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "weft-fuzz-node-"));
    node = await ChainNode.open({
      dataDir: dir,
      chainId: 1337n,
      feeRecipient: FEE,
      devAccounts: DEV,
      workers: 2,
      blockTimeMs: 60_000,
      maxBlockTxs: 1_000,
      blockGasLimit: 1_000_000_000,
      minParallelTxs: 0, // every block on the engine's workers
      readOnly: { workers: 1, gasCap: CALL_GAS },
    });
    server = createRpcServer({ port: 0, methods: nodeMethods(node) });
    url = (await server.listen()).url;
  });
  after(async () => {
    await server.close();
    await node.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** `env` signed by dev account `dev`. */
  const signed = (env: TxEnvelope, dev: number): TxEnvelope => {
    env.auth = devSigner(dev).sign(signingHash(env));
    return env;
  };

  /** Intrinsic and validation gas of `env` against the head, as the next block will charge them. */
  const overhead = (env: TxEnvelope): number => {
    const check = validateEnvelope(
      node.vm,
      node.nextBlock(),
      new TxState({ read: (k) => node.state.get(k) }),
      env,
    );
    assert.ok(check.ok, check.ok ? "" : check.reason);
    return check.checked.intrinsic + check.checked.validationGas;
  };

  /** Deploys the round's programs from dev account 0; returns their addresses. */
  const deploy = async (seed: number): Promise<Address[]> => {
    const deployer = node.genesis.accounts[0]?.address as Address;
    const codes = Array.from({ length: PROGRAMS }, (_, p) => fuzzCode(seed, p));
    const env = signed(
      {
        chainId: 1337n,
        sender: deployer,
        nonceKey: 0n,
        nonceSequence: node.nextSequence(deployer, 0n),
        gasLimit: 500_000_000n,
        maxFee: 10n,
        priorityFee: 1n,
        calls: codes.map((code) => ({
          target: ZERO,
          method: "deploy",
          args: encodeAbi(["bytes", "bytes", "bytes32"], [code, new Uint8Array(0), new Uint8Array(32)]),
          value: 0n,
        })),
        auth: new Uint8Array(0),
      },
      0,
    );
    const { hash } = node.submit(encodeTx(env));
    await node.produceNow();
    const receipt = node.db.receipt(hash as `0x${string}`) as { status: string } | undefined;
    assert.equal(receipt?.status, "success", `seed ${seed}: the programs deploy`);
    return codes.map((code) =>
      contractAddress(deployer, new Uint8Array(32), keccak256(code), new Uint8Array(0)),
    );
  };

  it("every call's weft_call and weft_estimateGas answers equal its block's receipt", async () => {
    const statuses = new Map<string, number>();
    for (let r = 0; r < ROUNDS; r++) {
      const seed = FIRST_SEED + r;
      const contracts = await deploy(seed);
      for (const [i, c] of fuzzCalls(seed, contracts, CALLS).entries()) {
        const what = `seed ${seed}, call ${i}`;
        const dev = c.from % DEV;
        const sender = node.genesis.accounts[dev]?.address as Address;
        const target = contracts[c.target] as Address;
        const call = { target, method: "run", args: c.input, value: 0n };
        const env: TxEnvelope = {
          chainId: 1337n,
          sender,
          nonceKey: 0n,
          nonceSequence: node.nextSequence(sender, 0n),
          gasLimit: BigInt(CALL_GAS) * 2n,
          maxFee: 10n,
          priorityFee: 1n,
          calls: [call],
          auth: new Uint8Array(0),
        };
        // The gas limit that leaves the call exactly CALL_GAS (the signature's cost does not depend on it).
        const fixed = overhead(signed(env, dev));
        env.gasLimit = BigInt(CALL_GAS + fixed);
        assert.equal(overhead(signed(env, dev)), fixed, `${what}: overhead`);

        const args = hex(c.input);
        const answer = await rpc(url, "weft_call", [{ from: sender, to: target, method: "run", args }]);
        const estimate = await rpc(url, "weft_estimateGas", [
          { sender, calls: [{ target, method: "run", args }] },
        ]);
        const { hash } = node.submit(encodeTx(env));
        await node.produceNow();
        const receipt = node.db.receipt(hash as `0x${string}`) as
          | { status: string; gasUsed: number; output: string; logs: Log[] }
          | undefined;
        assert.ok(receipt !== undefined, `${what}: included`);
        statuses.set(receipt.status, (statuses.get(receipt.status) ?? 0) + 1);

        const called = answer.result as { status: string; output: string; gasUsed: number; logs: Log[] };
        assert.ok(called !== undefined, `${what}: weft_call answered ${JSON.stringify(answer.error)}`);
        assert.deepEqual(
          {
            status: called.status,
            output: called.output,
            gasUsed: called.gasUsed + fixed,
            logs: called.logs,
          },
          {
            status: receipt.status,
            output: receipt.output,
            gasUsed: receipt.gasUsed,
            logs: receipt.logs.map((l) => ({ address: l.address, topics: l.topics, data: l.data })),
          },
          `${what}: weft_call, then the block`,
        );
        if (receipt.status === "success")
          assert.equal(
            (estimate.result as { gasUsed: number } | undefined)?.gasUsed,
            receipt.gasUsed,
            `${what}: weft_estimateGas without auth ${JSON.stringify(estimate.error)}`,
          );
        else {
          assert.equal(estimate.error?.code, -32602, `${what}: a failing call is refused`);
          assert.deepEqual(estimate.error?.data, { output: receipt.output }, `${what}: with its revert data`);
        }

        // The same call again, with the fuzzer's gas limit for the call (within the cap) on
        // top of the signature's overhead (an account's validation, with its cold price, may
        // take more than the fuzzer's smallest limits): the estimate with its own auth is the
        // gas the block charges it, whatever the outcome.
        const again: TxEnvelope = {
          ...env,
          nonceSequence: node.nextSequence(sender, 0n),
          gasLimit: BigInt(Math.min(c.gas, CALL_GAS - fixed) + fixed),
        };
        signed(again, dev);
        const withAuth = await rpc(url, "weft_estimateGas", [
          {
            sender,
            calls: [{ target, method: "run", args }],
            gasLimit: again.gasLimit.toString(),
            maxFee: "10",
            priorityFee: "1",
            auth: hex(again.auth),
          },
        ]);
        const sent = node.submit(encodeTx(again));
        await node.produceNow();
        const second = node.db.receipt(sent.hash as `0x${string}`) as
          | { status: string; gasUsed: number }
          | undefined;
        assert.ok(second !== undefined, `${what}: the second one included`);
        statuses.set(second.status, (statuses.get(second.status) ?? 0) + 1);
        assert.equal(
          (withAuth.result as { gasUsed: number } | undefined)?.gasUsed,
          second.gasUsed,
          `${what}: weft_estimateGas with auth ${JSON.stringify(withAuth.error)}`,
        );
      }
    }
    // The calls do something: some succeed, some fail.
    assert.ok((statuses.get("success") ?? 0) > 0, `statuses ${JSON.stringify([...statuses])}`);
    assert.ok(
      (statuses.get("revert") ?? 0) + (statuses.get("outOfGas") ?? 0) > 0,
      JSON.stringify([...statuses]),
    );
  });
});
