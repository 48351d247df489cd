/**
 * EVM source verification (`weft_verifyEvmSource`, `weft_getEvmSource`, `weft verify <address>
 * <file.sol>`) against a node: OpenZeppelin's ERC-20 with immutables and constructor
 * arguments (`test/fixtures/evm/CappedVault.sol`), deployed by an Ethereum dev account, is
 * verified from its sources (a full match; a partial one from sources that differ in a
 * comment), its ABI with selectors and topics stored and read back; wrong settings, a compile
 * error, another compiler version, oversized input, no EVM code, a compile over its time
 * limit and a third compilation at once are each refused with their reason.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { encodeDeployData } from "viem";
import type { Address } from "../../../src/codec/address.js";
import { keccak256 } from "../../../src/codec/hash.js";
import { EVM_VERIFY_ERROR, evmSourceMethods } from "../../../src/node/api/evmSourceMethods.js";
import type { GenesisInfo } from "../../../src/node/genesis/genesis.js";
import { RpcError } from "../../../src/node/rpc/errors.js";
import { EvmVerifyError } from "../../../src/node/verify/evmVerifyError.js";
import { checkSourceRequest, createSolcCompiler, solcInput } from "../../../src/node/verify/solcCompile.js";
import { ethDevKeys } from "../../../src/sdk/ethDevKeys.js";
import { rpc, waitForReceipt } from "../../../src/sdk/rpcClient.js";
import { signEthTxRaw } from "../../helpers/ethAccounts.js";
import { call } from "../../helpers/rpcServer.js";
import { compileWithSources } from "../../helpers/solc.js";
import { startTestNode, type TestNode } from "../../helpers/testNode.js";
import { runWeft } from "../../helpers/weftCli.js";

const FIXTURE = fileURLToPath(new URL("../../../../test/fixtures/evm/CappedVault.sol", import.meta.url));
const UNIT = "test/fixtures/evm/CappedVault.sol";
const REPO = fileURLToPath(new URL("../../../../", import.meta.url));
const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString("hex")}`;

interface Refusal {
  code?: number;
  message?: string;
  data?: { reason?: string; details?: string[] };
}

describe("EVM source verification", () => {
  let node: TestNode;
  let vault: Address;
  const compiled = compileWithSources(FIXTURE, UNIT, "CappedVault");
  const request = (changes: Record<string, unknown> = {}) => ({
    sources: compiled.sources,
    contract: "CappedVault",
    settings: compiled.settings,
    ...changes,
  });
  const refusal = async (params: unknown[]): Promise<Refusal> => {
    const answer = await call(node.url, "weft_verifyEvmSource", params);
    assert.ok(answer.error, `expected a refusal, got ${JSON.stringify(answer.result)}`);
    return answer.error as Refusal;
  };

  before(async () => {
    node = await startTestNode((config) => {
      config.blockTimeMs = 50;
    });
    const dev = ethDevKeys(1)[0] as { privateKey: Uint8Array; address: Address };
    const data = encodeDeployData({
      abi: compiled.abi,
      bytecode: compiled.bytecode,
      args: [10n ** 24n, 10n ** 25n],
    });
    const raw = signEthTxRaw(
      { key: dev.privateKey, address: dev.address },
      {
        nonce: 0n,
        data: Buffer.from(data.slice(2), "hex"),
        gasLimit: 3_000_000n,
        maxFee: 10n ** 12n,
        priorityFee: 1n,
      },
      node.config.chainId,
    );
    const receipt = await waitForReceipt<{ status: string; contractAddress: Address }>(
      node.url,
      await rpc<string>(node.url, "eth_sendRawTransaction", [hex(raw)]),
    );
    assert.equal(receipt.status, "success");
    vault = receipt.contractAddress;
  });
  after(() => node?.close());

  it("refuses, each with its reason: wrong settings, a compile error, another compiler, no EVM code, bad input", async () => {
    const mismatch = await refusal([vault, request({ settings: {} })]);
    assert.equal(mismatch.code, EVM_VERIFY_ERROR);
    assert.equal(mismatch.data?.reason, "BYTECODE_MISMATCH", JSON.stringify(mismatch));
    assert.match(mismatch.data?.details?.join("\n") ?? "", /first difference at byte \d+/);

    const broken = {
      ...compiled.sources,
      [UNIT]: `${compiled.sources[UNIT]}\ncontract Broken { function f() { x = 1; } }`,
    };
    const failed = await refusal([vault, request({ sources: broken })]);
    assert.equal(failed.data?.reason, "COMPILE_FAILED");
    assert.match(failed.data?.details?.[0] ?? "", /Broken|Undeclared|x/);

    const missing = await refusal([vault, request({ sources: { [UNIT]: compiled.sources[UNIT] } })]);
    assert.equal(missing.data?.reason, "COMPILE_FAILED", "an import left out");

    const other = await refusal([vault, request({ compilerVersion: "0.5.16" })]);
    assert.equal(other.data?.reason, "COMPILER_VERSION");
    assert.match(other.message ?? "", /0\.8\.\d+/);

    const genesis = await rpc<GenesisInfo>(node.url, "weft_genesis");
    assert.equal((await refusal([genesis.contracts.wusd, request()])).data?.reason, "NO_EVM_CODE");

    assert.equal((await refusal([vault, request({ contract: "Nope" })])).data?.reason, "NO_CONTRACT");
    const abstract = await refusal([vault, request({ contract: "ERC20" })]);
    assert.equal(abstract.data?.reason, "NO_CONTRACT", "an abstract contract has no runtime code");
    const huge = { [UNIT]: `// ${"x".repeat(800 * 1024)}\n` };
    assert.equal((await refusal([vault, request({ sources: huge })])).data?.reason, "TOO_LARGE");
    const many = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`f${i}.sol`, "// empty"]));
    assert.equal((await refusal([vault, request({ sources: many })])).data?.reason, "TOO_LARGE");
    const settings = await refusal([vault, request({ settings: { outputSelection: {} } })]);
    assert.equal(settings.data?.reason, "BAD_INPUT");
    assert.equal((await refusal([vault, request({ sources: "x" })])).data?.reason, "BAD_INPUT");
    assert.equal((await call(node.url, "weft_verifyEvmSource", ["0x12", request()])).error?.code, -32602);
    assert.equal(await rpc(node.url, "weft_getEvmSource", [vault]), null, "nothing stored by a refusal");
  });

  it("a compile past its time limit, and a third at once, are refused; nothing is left running", async () => {
    const methods = evmSourceMethods(node.running.node, { compiler: createSolcCompiler({ timeoutMs: 1 }) });
    const reason = async (p: unknown) => {
      try {
        await p;
        return "verified";
      } catch (error) {
        assert.ok(error instanceof RpcError, String(error));
        return (error.data as { reason: string }).reason;
      }
    };
    assert.equal(
      await reason(methods.weft_verifyEvmSource?.([vault, request()], {} as never)),
      "COMPILE_TIMEOUT",
    );
    const slow = evmSourceMethods(node.running.node, { compiler: createSolcCompiler({ timeoutMs: 1_000 }) });
    // Started in one turn: two compile, the third is refused at once.
    const three = [0, 1, 2].map(() => reason(slow.weft_verifyEvmSource?.([vault, request()], {} as never)));
    const reasons = await Promise.all(three);
    assert.equal(reasons[2], "BUSY");
    assert.ok(
      reasons.slice(0, 2).every((r) => r !== "BUSY"),
      reasons.join(),
    );
  });

  it("compiles in a child process of its own, killed at its time limit; the node's process goes on", async () => {
    // Before, a thread terminated in the middle of solc-js's WebAssembly (dd59cf0: that
    // could abort the node or hang it in node::FreeEnvironment).
    const compiler = createSolcCompiler({ timeoutMs: 200 });
    const pending = compiler.compile(solcInput(checkSourceRequest(request())));
    const [pid] = compiler.processes();
    assert.ok(pid !== undefined && pid !== process.pid, `a process of its own (${pid})`);
    await assert.rejects(
      pending,
      (e: unknown) => e instanceof EvmVerifyError && e.code === "COMPILE_TIMEOUT",
    );
    // Killed: its exit is reported shortly after.
    for (let i = 0; i < 500 && compiler.processes().length > 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(compiler.processes(), [], "no compiler process is left");
    assert.throws(() => process.kill(pid, 0), { code: "ESRCH" });
    // A compile with time enough succeeds in a new process, which is kept idle, then closed.
    const ok = createSolcCompiler();
    const out = await ok.compile(solcInput(checkSourceRequest(request())));
    assert.match(out.version, /^0\.8\./);
    assert.ok(JSON.parse(out.output).contracts?.[UNIT]?.CappedVault, "CappedVault compiled");
    const [idle] = ok.processes();
    assert.ok(idle !== undefined, "kept for the next compilation");
    ok.close();
    for (let i = 0; i < 500 && ok.processes().length > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(ok.processes(), []);
  });

  it("verifies from its sources (a full match) and stores the ABI, selectors, topics and sources", async () => {
    const verified = await rpc<{ match: string; name: string; codeHash: string; path: string }>(
      node.url,
      "weft_verifyEvmSource",
      [vault, request()],
    );
    assert.equal(verified.match, "full");
    assert.equal(verified.name, "CappedVault");
    assert.equal(verified.path, UNIT);
    const code = await rpc<string>(node.url, "eth_getCode", [vault, "latest"]);
    assert.equal(verified.codeHash, hex(keccak256(Buffer.from(code.slice(2), "hex"))));
    interface Stored {
      abi: Array<{ type: string; name?: string }>;
      signatures: {
        functions: Record<string, number>;
        events: Record<string, number>;
        errors: Record<string, number>;
      };
      sources?: Record<string, string>;
      compiler: { version: string };
    }
    const stored = await rpc<Stored>(node.url, "weft_getEvmSource", [vault]);
    assert.deepEqual(Object.keys(stored.sources ?? {}).sort(), Object.keys(compiled.sources).sort());
    assert.equal(stored.abi[stored.signatures.functions["0xa9059cbb"] as number]?.name, "transfer");
    const transfer = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef";
    assert.equal(stored.abi[stored.signatures.events[transfer] as number]?.name, "Transfer");
    assert.ok(Object.values(stored.signatures.errors).some((i) => stored.abi[i]?.name === "OverCap"));
    const lean = await rpc<Stored>(node.url, "weft_getEvmSource", [vault, { sources: false }]);
    assert.equal(lean.sources, undefined);
    assert.match(stored.compiler.version, /^0\.8\./);
    // Found by its name, in any case or by its start (the explorer's search); bad names refused.
    const found = [{ name: "CappedVault", address: vault, kind: "evm" }];
    assert.deepEqual(await rpc(node.url, "weft_findContracts", ["cappedvault"]), found);
    assert.deepEqual(await rpc(node.url, "weft_findContracts", ["Capp"]), found);
    assert.deepEqual(await rpc(node.url, "weft_findContracts", ["Vault"]), []);
    for (const bad of ["  ", "x".repeat(129), 7]) {
      const answer = (await call(node.url, "weft_findContracts", [bad])) as { error?: { code: number } };
      assert.equal(answer.error?.code, -32602, JSON.stringify(answer));
    }
  });

  it("a comment changed gives a partial match (the metadata hash differs, the code does not)", async () => {
    const commented = {
      ...compiled.sources,
      [UNIT]: `${compiled.sources[UNIT]}\n// a comment after deployment\n`,
    };
    const partial = await rpc<{ match: string }>(node.url, "weft_verifyEvmSource", [
      vault,
      request({ sources: commented }),
    ]);
    assert.equal(partial.match, "partial");
  });

  it("weft verify <address> <file.sol> gathers the imports and verifies", async () => {
    const cli = await runWeft(
      [
        "--rpc",
        node.url,
        "--json",
        "verify",
        vault,
        UNIT,
        "--optimizer-runs",
        "200",
        "--contract",
        "CappedVault",
      ],
      { cwd: REPO },
    );
    assert.equal(cli.code, 0, cli.err);
    const out = JSON.parse(cli.out) as { match: string; name: string };
    assert.deepEqual([out.name, out.match], ["CappedVault", "full"]);
    const wrong = await runWeft(["--rpc", node.url, "verify", vault, UNIT], { cwd: REPO });
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.err, /not the code at/);
  });
});
