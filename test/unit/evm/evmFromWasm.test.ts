/**
 * WASM contracts calling EVM code (`evm_call`, `chain/evmFromWasm.ts`): msg.sender is the
 * WASM contract's address; value moves in the native coin; a revert comes back with its
 * reason and undoes only the callee; out of gas in the callee; the depth counted across
 * both VMs; a WASM → EVM → WASM round trip (and the reentrancy guard across it); and a WASM
 * vault holding OpenZeppelin's ERC-20, used by many depositors in one block. Every block
 * runs on the parallel engine and sequentially, compared field by field.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  type Abi,
  decodeErrorResult,
  decodeEventLog,
  decodeFunctionResult,
  encodeFunctionData,
  type Hex,
} from "viem";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import type { Receipt } from "../../../src/chain/receipt.js";
import type { Transaction } from "../../../src/chain/transaction.js";
import { decodeError, encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { concatBytes, fromHex, toHex } from "../../../src/codec/bytes.js";
import { decodeU128, encodeU128 } from "../../../src/engine/deltas.js";
import { balanceKey } from "../../../src/state/keys.js";
import type { Storage } from "../../../src/state/storage.js";
import { MAX_CALL_DEPTH } from "../../../src/vm/limits.js";
import { account } from "../../helpers/chain.js";
import { Contract, TestChain } from "../../helpers/contracts.js";
import { wasmCall, word } from "../../helpers/ethAbi.js";
import { type EthAccount, ethAccount, signEthTx } from "../../helpers/ethAccounts.js";
import {
  assertSameAsSequential,
  attachChain,
  type ChainEngine,
  chainEngine,
} from "../../helpers/parallelChain.js";
import { compileSolidity } from "../../helpers/solc.js";

const FIXTURES = new URL("../../../../test/fixtures/evm/", import.meta.url);
const probeSol = compileSolidity(new URL("EvmProbe.sol", FIXTURES).pathname, "EvmProbe");
const tokenSol = compileSolidity(new URL("VaultToken.sol", FIXTURES).pathname, "VaultToken");

function bytesOf(hex: Hex): Uint8Array {
  return fromHex(hex);
}
function hexOf(bytes: Uint8Array): Hex {
  return `0x${toHex(bytes)}`;
}
const probeData = (name: string, args: unknown[] = []) =>
  bytesOf(encodeFunctionData({ abi: probeSol.abi, functionName: name, args } as never));

describe("WASM contracts call EVM code (evm_call)", () => {
  const chain = new TestChain(3);
  const deployer: EthAccount = ethAccount(900);
  const nonces = new Map<Address, bigint>();
  const ethTx = (from: EthAccount, to: Address | undefined, data: Uint8Array, gasLimit = 3_000_000n) => {
    const nonce = nonces.get(from.address) ?? 0n;
    nonces.set(from.address, nonce + 1n);
    return signEthTx(
      from,
      { nonce, ...(to === undefined ? {} : { to }), data, gasLimit, maxFee: 1n },
      chain.block.chainId,
    );
  };
  let engine: ChainEngine;
  let store: Storage;
  let callers: Contract[];
  let caller: Contract;
  let probe: Address;
  const run = async (txs: Transaction[]): Promise<Receipt[]> => {
    const result = await assertSameAsSequential(engine, store, chain.block, txs);
    await store.commit(result.writeSet);
    chain.state.apply(result.writeSet);
    return result.receipts;
  };
  const deployEvm = async (bytecode: Hex, args: Uint8Array = new Uint8Array(0)): Promise<Address> => {
    const [r] = await run([ethTx(deployer, undefined, concatBytes(bytesOf(bytecode), args), 5_000_000n)]);
    assert.equal(r?.status, "success", r?.invalidReason);
    return r?.contractAddress as Address;
  };
  /** `callEvm`'s answer: the status byte, then the data. */
  const split = (r: Receipt | undefined) => {
    assert.equal(r?.status, "success", JSON.stringify(r?.output));
    const out = (caller.outcome("callEvm", r as Receipt).value as Uint8Array) ?? new Uint8Array(0);
    return { status: out[0], data: out.subarray(1) };
  };
  const callEvm = (
    via: Contract,
    data: Uint8Array,
    options: { value?: bigint; gas?: bigint; target?: Address } = {},
  ) =>
    via.tx(account(1), "callEvm", [options.target ?? probe, data, options.value ?? 0n, options.gas ?? 0n], {
      gasLimit: 900_000_000,
    });
  const coin = (who: Address) => decodeU128(chain.state.entries.get(balanceKey(who)));
  const deployWasm = async (name: string, args: unknown[]): Promise<Contract> => {
    const artifact = loadArtifact(name);
    const [r] = await run([chain.deployTx(artifact, args, account(1))]);
    assert.equal(r?.status, "success");
    return new Contract(chain, r?.contractAddress as Address, artifact.metadata);
  };
  const probeWord = async (name: string): Promise<bigint> => {
    const [r] = await run([callEvm(caller, probeData(name))]);
    const { status, data } = split(r);
    assert.equal(status, 0);
    return BigInt(hexOf(data));
  };

  before(async () => {
    callers = [1, 2, 3, 4, 5].map((i) => chain.deploy("evmCaller", [], account(1), word(BigInt(i))));
    caller = callers[0] as Contract;
    chain.state.entries.set(balanceKey(deployer.address), encodeU128(10n ** 24n));
    engine = await chainEngine(2);
    store = await attachChain(engine, chain);
    probe = await deployEvm(probeSol.bytecode);
  });
  after(() => engine.close());

  it("msg.sender is the WASM contract's address; value moves in the native coin; logs reach the receipt", async () => {
    await run([
      {
        kind: "transfer",
        from: account(1),
        to: caller.address,
        amount: 5_000n,
        gasLimit: 100_000,
        gasPrice: 1n,
      },
    ]);
    const before = coin(probe);
    const [r] = await run([callEvm(caller, probeData("echo", [41n]), { value: 1_000n })]);
    const { status, data } = split(r);
    assert.equal(status, 0);
    assert.equal(decodeFunctionResult({ abi: probeSol.abi, functionName: "echo", data: hexOf(data) }), 42n);
    assert.equal(coin(probe) - before, 1_000n);
    assert.equal(coin(caller.address), 4_000n);
    const seen = r?.events.find((e) => e.address === probe);
    assert.ok(seen, "the EVM log is one of the transaction's events");
    const decoded = decodeEventLog({
      abi: probeSol.abi,
      data: hexOf(seen.data),
      topics: seen.topics as [Hex],
    }) as unknown as { args: { sender: string; value: bigint; x: bigint } };
    assert.equal(decoded.args.sender.toLowerCase(), caller.address);
    assert.equal(decoded.args.value, 1_000n);
    assert.equal(BigInt(`0x${(await probeWord("lastSender")).toString(16)}`), BigInt(caller.address));
    // More coin than the contract holds: refused before the EVM runs, nothing moves.
    const [poor] = await run([callEvm(caller, probeData("echo", [1n]), { value: 10n ** 9n })]);
    const refused = split(poor);
    assert.equal(refused.status, 1);
    assert.equal(decodeError(refused.data, ["address", "u128", "u128"]).name, "InsufficientBalance");
    assert.equal(coin(caller.address), 4_000n);
  });

  it("a revert comes back with its reason and undoes only the callee; the caller's own writes stay", async () => {
    const stored = await probeWord("stored");
    const [r] = await run([
      caller.tx(account(1), "noteThenCall", [77n, probe, probeData("setThenFail", [5n])], {
        gasLimit: 900_000_000,
      }),
    ]);
    assert.equal(r?.status, "revert", "noteThenCall bubbles the revert");
    const reason = decodeErrorResult({ abi: probeSol.abi, data: hexOf(r?.output as Uint8Array) });
    assert.deepEqual([reason.errorName, reason.args], ["Error", ["probe says no"]]);
    // Called raw: the transaction succeeds, the EVM's write is undone, the revert data is Solidity's.
    const [raw] = await run([callEvm(caller, probeData("setThenFail", [5n]))]);
    const { status, data } = split(raw);
    assert.equal(status, 1);
    assert.equal(decodeErrorResult({ abi: probeSol.abi, data: hexOf(data) }).args?.[0], "probe says no");
    assert.equal(await probeWord("stored"), stored);
    assert.equal(caller.view("noted"), 0n, "the bubbled revert undid the note too");
  });

  it("out of gas in the callee: status 2, the forwarded gas spent, the caller goes on", async () => {
    const gas = 40_000_000n; // Weft gas: 80,000 EVM gas
    const [r] = await run([callEvm(caller, probeData("burn"), { gas })]);
    const { status, data } = split(r);
    assert.equal(status, 2);
    assert.equal(decodeError(data, []).name, "OutOfGas");
    assert.ok((r?.gasUsed ?? 0) > Number(gas), "the forwarded gas is charged");
    assert.ok((r?.gasUsed ?? 0) < Number(gas) + 10_000_000, "and not much more");
  });

  it("WASM → EVM → WASM: a round trip to another contract works; the caller itself cannot be re-entered", async () => {
    const other = callers[1] as Contract;
    const back = wasmCall(other.address, "note", encodeAbi(["u128"], [7n]));
    const [r] = await run([callEvm(caller, probeData("relay", [0n, hexOf(back)]))]);
    assert.equal(split(r).status, 0);
    assert.equal(other.view("noted"), 7n);
    const noted = r?.events.find((e) => e.address === other.address);
    assert.ok(noted, "the inner WASM event is kept, through the EVM, in the receipt");
    assert.deepEqual(other.events({ ...(r as Receipt), events: [noted] })[0]?.args, { value: 7n });
    const again = wasmCall(caller.address, "note", encodeAbi(["u128"], [8n]));
    const [re] = await run([callEvm(caller, probeData("relay", [0n, hexOf(again)]))]);
    const refused = split(re);
    assert.equal(refused.status, 1);
    assert.deepEqual(decodeError(refused.data, ["address"]), { name: "Reentrancy", args: [caller.address] });
    assert.equal(caller.view("noted"), 0n);
  });

  it("the depth counts frames of both VMs, up to MAX_CALL_DEPTH", async () => {
    const other = callers[1] as Contract;
    // callEvm (depth 0) → relay (1) → relay … → the precompile's frame, a WASM frame at depth d + 2.
    const at = (d: number) =>
      callEvm(
        caller,
        probeData("relay", [
          BigInt(d),
          hexOf(wasmCall(other.address, "note", encodeAbi(["u128"], [BigInt(d)]))),
        ]),
        {},
      );
    const deepest = MAX_CALL_DEPTH - 2;
    const [ok, tooDeep] = await run([at(deepest), at(deepest + 1)]);
    assert.equal(split(ok).status, 0);
    const refused = split(tooDeep);
    assert.equal(refused.status, 1);
    assert.equal(decodeError(refused.data, []).name, "CallDepthExceeded");
    assert.equal(other.view("noted"), BigInt(deepest));
    // An Ethereum transaction enters at depth 0: a WASM frame at MAX_CALL_DEPTH may run,
    // but its own evm_call would start past the limit and is refused there.
    const inner = wasmCall(
      other.address,
      "callEvm",
      encodeAbi(["address", "bytes", "u128", "u64"], [probe, probeData("echo", [1n]), 0n, 0n]),
    );
    const [eth] = await run([
      ethTx(deployer, probe, probeData("relay", [BigInt(MAX_CALL_DEPTH - 1), hexOf(inner)]), 5_900_000n),
    ]);
    assert.equal(eth?.status, "success", eth?.invalidReason);
    const answer = decodeFunctionResult({
      abi: probeSol.abi,
      functionName: "relay",
      data: hexOf(eth?.output as Uint8Array),
    }) as Hex;
    const innerOut = caller.outcome("callEvm", { ...(eth as Receipt), output: bytesOf(answer) })
      .value as Uint8Array;
    assert.equal(innerOut[0], 1);
    assert.equal(decodeError(innerOut.subarray(1), []).name, "CallDepthExceeded");
  });

  it("EVM entered again through WASM nests up to MAX_EVM_NESTING runners, then LimitExceeded", async () => {
    // callers[0] → EVM → callers[1].callEvm → EVM → … → callers[4].callEvm → EVM (the fifth).
    let payload = probeData("echo", [5n]);
    for (let i = 4; i >= 1; i--) {
      const via = callers[i] as Contract;
      const step = wasmCall(
        via.address,
        "callEvm",
        encodeAbi(["address", "bytes", "u128", "u64"], [probe, payload, 0n, 0n]),
      );
      payload = probeData("relay", [0n, hexOf(step)]);
    }
    const [r] = await run([callEvm(caller, payload)]);
    let out = split(r);
    // Unwrap each level: relay's bytes hold the WASM callEvm's output (status, then data).
    const statuses: number[] = [out.status as number];
    for (let i = 1; i <= 4 && out.status === 0; i++) {
      const answer = decodeFunctionResult({
        abi: probeSol.abi,
        functionName: "relay",
        data: hexOf(out.data),
      }) as Hex;
      const inner = caller.outcome("callEvm", { ...(r as Receipt), output: bytesOf(answer) })
        .value as Uint8Array;
      out = { status: inner[0], data: inner.subarray(1) };
      statuses.push(out.status as number);
    }
    assert.deepEqual(statuses, [0, 0, 0, 0, 1]);
    assert.deepEqual(decodeError(out.data, ["string"]).name, "LimitExceeded");
  });

  it("transient storage lives for one evm_call (EIP-1153), whichever thread runs the next", async () => {
    // ethereumjs clears it after a depth-0 message only: an evm_call's message starts deeper.
    const [set, got, viaWasm] = await run([
      callEvm(caller, probeData("tset", [9n])),
      ethTx(deployer, probe, probeData("tget"), 200_000n),
      callEvm(caller, probeData("tget")),
    ]);
    assert.equal(split(set).status, 0);
    assert.equal(BigInt(hexOf(got?.output as Uint8Array)), 0n);
    assert.equal(BigInt(hexOf(split(viaWasm).data)), 0n);
  });

  it("a WASM vault holds OpenZeppelin's ERC-20: many depositors in one block, parallel = sequential", async () => {
    const users = Array.from({ length: 12 }, (_, i) => ethAccount(1_000 + i));
    for (const u of users) chain.state.entries.set(balanceKey(u.address), encodeU128(10n ** 21n));
    await store.commit(new Map(users.map((u) => [balanceKey(u.address), encodeU128(10n ** 21n)])));
    const token = await deployEvm(tokenSol.bytecode, word(10n ** 30n) as Uint8Array);
    const vault = await deployWasm("evmVault", [token]);
    const erc20 = (name: string, args: unknown[]) =>
      bytesOf(encodeFunctionData({ abi: tokenSol.abi as Abi, functionName: name, args } as never));
    await run(users.map((u) => ethTx(deployer, token, erc20("transfer", [u.address, 1_000n]))));
    await run(users.map((u) => ethTx(u, token, erc20("approve", [vault.address, 600n]))));
    const gasLimit = 900_000_000;
    const deposits = await run(
      users.map((u, i) => vault.tx(u.address, "deposit", [BigInt(100 + i)], { gasLimit })),
    );
    assert.deepEqual(
      deposits.map((r) => r.status),
      users.map(() => "success"),
    );
    const third = deposits[3] as Receipt;
    assert.deepEqual(
      third.events.map((e) => e.address),
      [token, vault.address],
      "the token's Transfer, then the vault's Deposited",
    );
    assert.deepEqual(vault.events({ ...third, events: third.events.slice(1) })[0]?.args, {
      account: users[3]?.address,
      amount: 103n,
      balance: 103n,
    });
    const total = users.reduce((sum, _, i) => sum + BigInt(100 + i), 0n);
    assert.equal(vault.view("totalDeposits"), total);
    assert.equal(vault.view("held"), total, "the EVM token holds the vault's tokens at its address");
    // Withdrawals, a deposit over the allowance and one of more than was deposited, in one block.
    const mixed = await run([
      ...users.slice(0, 6).map((u) => vault.tx(u.address, "withdraw", [50n], { gasLimit })),
      vault.tx((users[6] as EthAccount).address, "deposit", [10_000n], { gasLimit }),
      vault.tx((users[7] as EthAccount).address, "withdraw", [10_000n], { gasLimit }),
    ]);
    assert.deepEqual(
      mixed.map((r) => r.status),
      [...users.slice(0, 6).map(() => "success"), "revert", "revert"],
    );
    const overAllowance = decodeErrorResult({
      abi: tokenSol.abi as Abi,
      data: hexOf(mixed[6]?.output as Uint8Array),
    });
    assert.equal(overAllowance.errorName, "ERC20InsufficientAllowance");
    assert.equal(vault.outcome("withdraw", mixed[7] as Receipt).error?.name, "InsufficientDeposit");
    assert.equal(vault.view("held"), total - 300n);
    const [balance] = await run([
      callEvm(caller, erc20("balanceOf", [(users[0] as EthAccount).address]), { target: token }),
    ]);
    assert.equal(BigInt(hexOf(split(balance).data)), 1_000n - 100n + 50n);
  });
});
