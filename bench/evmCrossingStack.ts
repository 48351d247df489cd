/**
 * How much of V8's stack one WASM → EVM → WASM crossing takes: from a WASM contract's
 * `evm_call` (entering the bridge) to the WASM frame the host precompile starts inside it
 * (`Vm.callFromEvm`), which `EVM_CROSSING_UNITS` (`src/vm/limits.ts`) must cover, since the
 * stack budget counts it for the frame that continues there.
 *
 * The free stack is measured at both points by recursing a small function until V8's
 * RangeError; a frame's size comes from the same count at the program's start against the
 * thread's stack size (Node's default 984 KiB, or `--stack-size`). The EVM code between is
 * `EvmProbe.relay(depth, payload)` (test/fixtures/evm), which recurses `depth` EVM frames
 * before it calls the precompile: EVM frames run on the realm's microtask queue, so the
 * crossing should not grow with them.
 *
 *   node dist/bench/evmCrossingStack.js [--depths 0,8,32] [--stack-kib 984]
 *
 * Prints a table, writes bench/results/evmCrossingStack.json.
 */
import { encodeFunctionData, type Hex } from "viem";
import { evmFromWasm } from "../src/chain/evmFromWasm.js";
import type { Transaction } from "../src/chain/transaction.js";
import { encodeAbi } from "../src/codec/abi.js";
import type { Address } from "../src/codec/address.js";
import { concatBytes, fromHex, toHex, utf8 } from "../src/codec/bytes.js";
import { encodeU128 } from "../src/engine/deltas.js";
import { balanceKey } from "../src/state/keys.js";
import type { EvmBridge } from "../src/vm/evmBridge.js";
import { EVM_CROSSING_UNITS } from "../src/vm/limits.js";
import type { Vm } from "../src/vm/vm.js";
import { account } from "../test/helpers/chain.js";
import { TestChain } from "../test/helpers/contracts.js";
import { ethAccount, signEthTx } from "../test/helpers/ethAccounts.js";
import { compileSolidity } from "../test/helpers/solc.js";
import { benchArgs } from "./lib/args.js";
import { machineInfo, printTable, writeJson } from "./lib/report.js";

const args = benchArgs("node dist/bench/evmCrossingStack.js [--depths 0,8,32] [--stack-kib 984]", {
  options: { depths: { type: "string", default: "0,8,32" }, "stack-kib": { type: "string", default: "984" } },
});

/** Frames of a small recursive function that still fit on the stack from here. */
function framesLeft(): number {
  let n = 0;
  const down = (k: number): number => {
    n++;
    return down(k + 1) + 1;
  };
  try {
    down(0);
  } catch {
    // V8's RangeError: the stack is full.
  }
  return n;
}

const stackBytes = Number(args["stack-kib"]) * 1024;
const frameBytes = stackBytes / framesLeft();

let atCall = 0;
let atWasm = 0;
const measuring: EvmBridge = (state, env, request, vm) => {
  atCall = framesLeft();
  const probed: Vm = {
    ...vm,
    callFromEvm(view, e, req, depth) {
      atWasm = framesLeft();
      return vm.callFromEvm(view, e, req, depth);
    },
  };
  return evmFromWasm(state, env, request, probed);
};

const chain = new TestChain(2, {}, { evm: measuring });
const sol = compileSolidity(
  new URL("../../test/fixtures/evm/EvmProbe.sol", import.meta.url).pathname,
  "EvmProbe",
);
const deployer = ethAccount(1);
chain.state.entries.set(balanceKey(deployer.address), encodeU128(10n ** 24n));
const deployed = chain.runOne(
  signEthTx(
    deployer,
    { nonce: 0n, data: fromHex(sol.bytecode), gasLimit: 3_000_000n, maxFee: 1n },
    chain.block.chainId,
  ),
);
const probe = deployed.contractAddress as Address;
const caller = chain.deploy("evmCaller", [], account(1), new Uint8Array(32).fill(1));
const other = chain.deploy("evmCaller", [], account(1), new Uint8Array(32).fill(2));

function word(value: bigint): Uint8Array {
  return fromHex(value.toString(16).padStart(64, "0"));
}
function padded(bytes: Uint8Array): Uint8Array {
  return concatBytes(word(BigInt(bytes.length)), bytes, new Uint8Array((32 - (bytes.length % 32)) % 32));
}

const rows: Array<Array<string | number>> = [];
const results: Array<Record<string, number>> = [];
for (const depth of String(args.depths).split(",").map(Number)) {
  const name = padded(utf8("note"));
  const input = padded(encodeAbi(["u128"], [1n]));
  const payload = concatBytes(
    word(BigInt(other.address)),
    word(96n),
    word(96n + BigInt(name.length)),
    name,
    input,
  );
  const data = encodeFunctionData({
    abi: sol.abi,
    functionName: "relay",
    args: [BigInt(depth), `0x${toHex(payload)}` as Hex],
  } as never);
  atCall = 0;
  atWasm = 0;
  const tx: Transaction = caller.tx(account(1), "callEvm", [probe, fromHex(data), 0n, 0n], {
    gasLimit: 900_000_000,
  });
  const receipt = chain.runOne(tx);
  const out = caller.outcome("callEvm", receipt).value as Uint8Array | undefined;
  if (receipt.status !== "success" || out?.[0] !== 0 || atWasm === 0)
    throw new Error(`the round trip at EVM depth ${depth} failed: ${receipt.status} ${out?.[0]}`);
  const bytes = Math.round((atCall - atWasm) * frameBytes);
  const units = Math.ceil(bytes / 8);
  rows.push([depth, bytes, units, EVM_CROSSING_UNITS, (EVM_CROSSING_UNITS / units).toFixed(2)]);
  results.push({ evmDepth: depth, bytes, units, budgetUnits: EVM_CROSSING_UNITS });
}
printTable(["EVM frames between", "stack bytes", "stack units", "EVM_CROSSING_UNITS", "margin"], rows);
writeJson("bench/results/evmCrossingStack.json", {
  machine: machineInfo(),
  frameBytes,
  stackBytes,
  rows: results,
});
