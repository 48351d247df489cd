/**
 * What one EVM gas costs in time on Weft's EVM (ethereumjs in its realm, `src/evm`), against
 * what one Weft gas costs on the WASM VM: the basis of `EVM_GAS_WEIGHT`
 * (`src/chain/evmBlock.ts`). Tight loops of cheap instructions (the worst case per gas in
 * an interpreter) each run until their gas is spent, through `EvmRunner.runMessage`.
 *
 *   node dist/bench/evmGasWeight.js [--gas 2000000] [--rounds 5] [--wasm-ns 0.222]
 *
 * `--wasm-ns`: the WASM VM's median ns per Weft gas from `node dist/bench/calibrate.js`
 * (0.222 in the last full calibration, ARCHITECTURE.md); run both at the same load.
 * Prints ns per EVM gas per loop and the weight it implies; writes
 * bench/results/evm-gas-weight.json.
 */
import { loadavg } from "node:os";
import { EVM_GAS_WEIGHT, evmBlockOf } from "../src/chain/evmBlock.js";
import type { Address } from "../src/codec/address.js";
import { keccak256 } from "../src/codec/hash.js";
import { EvmRunner } from "../src/evm/evmRunner.js";
import { evmCodeHashKey, evmCodeKey, type StateKey, type StateValue } from "../src/state/keys.js";
import { assembleText } from "./evm/asm.js";
import { benchArgs } from "./lib/args.js";
import { machineInfo, median, printTable, writeJson } from "./lib/report.js";

const args = benchArgs("node dist/bench/evmGasWeight.js [--gas 2000000] [--rounds 5] [--wasm-ns 0.222]", {
  options: {
    gas: { type: "string", default: "2000000" },
    rounds: { type: "string", default: "5" },
    "wasm-ns": { type: "string", default: "0.222" },
  },
});
const GAS = BigInt(args.gas as string);
const ROUNDS = Number(args.rounds);
const WASM_NS = Number(args["wasm-ns"]);

const LOOPS: Record<string, string> = {
  "JUMP loop (PUSH1 POP)": "loop: PUSH1 0 POP @loop JUMP",
  "ADD loop": "loop: PUSH0 PUSH0 ADD PUSH0 ADD POP @loop JUMP",
  "KECCAK256 of 32 bytes": "loop: PUSH1 32 PUSH0 SHA3 POP @loop JUMP",
  "warm SLOAD": "PUSH0 SLOAD POP loop: PUSH0 SLOAD POP @loop JUMP",
  "MSTORE at 0": "loop: PUSH0 PUSH0 MSTORE @loop JUMP",
};
const target = "0x00000000000000000000000000000000000000aa" as Address;
const from = "0x00000000000000000000000000000000000000bb" as Address;
const runner = new EvmRunner();
const block = evmBlockOf({ height: 1n, time: 1n, chainId: 1n, feeRecipient: from });
const rows: Array<{ loop: string; nsPerGas: number; weight: number }> = [];
for (const [name, source] of Object.entries(LOOPS)) {
  const code = assembleText(source);
  const hash = keccak256(code);
  const state = new Map<StateKey, StateValue>([
    [evmCodeHashKey(target), hash],
    [evmCodeKey(hash), code],
  ]);
  const view = { read: (key: StateKey) => state.get(key) };
  const times: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const t = performance.now();
    const { result } = runner.runMessage(
      view,
      block,
      {
        from,
        fields: {
          type: 2,
          chainId: 1n,
          nonce: 0n,
          gasLimit: GAS,
          to: target,
          value: 0n,
          data: new Uint8Array(0),
          accessList: [],
          maxFeePerGas: 0n,
          maxPriorityFeePerGas: 0n,
        },
        gas: GAS,
        gasPrice: 0n,
        prepay: 0n,
      },
      () => 0n,
    );
    if (round > 0) times.push(((performance.now() - t) * 1e6) / Number(result.execResult.executionGasUsed));
  }
  const ns = median(times);
  rows.push({ loop: name, nsPerGas: ns, weight: ns / WASM_NS });
}
console.log(
  `EVM gas against WASM gas: ${GAS} gas a loop, median of ${ROUNDS}; WASM median ${WASM_NS} ns/gas; load average ${loadavg()[0]?.toFixed(1)}; EVM_GAS_WEIGHT is ${EVM_GAS_WEIGHT}`,
);
printTable(
  ["loop", "ns per EVM gas", "implied weight (÷ WASM ns/gas)"],
  rows.map((r) => [r.loop, r.nsPerGas.toFixed(1), r.weight.toFixed(0)]),
);
writeJson("bench/results/evm-gas-weight.json", {
  machine: machineInfo(),
  gas: Number(GAS),
  wasmNs: WASM_NS,
  rows,
});
