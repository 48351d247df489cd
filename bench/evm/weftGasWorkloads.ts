/**
 * The EVM workloads `bench/evmGasWeight.ts` times to fit Weft's EVM pricing
 * (`src/evm/weftGas.ts`): loops of one instruction class each, run until their gas is spent
 * (cheap instructions, hashing, storage, memory, calls), and the Uniswap V2 contracts
 * (the published bytecode, `test/helpers/uniswapV2.ts`): deployments, a pair's creation,
 * liquidity, swaps and an ERC-20 transfer. Each workload is one message over a state held
 * in a map; `measure` runs it on a runner without Weft's step limit and reports its EVM gas
 * spent (before refunds), its steps and its CPU time.
 */
import { createRequire } from "node:module";
import { evmBlockOf } from "../../src/chain/evmBlock.js";
import type { Address } from "../../src/codec/address.js";
import { keccak256 } from "../../src/codec/hash.js";
import type { EvmRunner } from "../../src/evm/evmRunner.js";
import { evmCodeHashKey, evmCodeKey, type StateKey, type StateValue } from "../../src/state/keys.js";
import { call, MAX_UINT, pairFor, UNISWAP } from "../../test/helpers/uniswapV2.js";
import { assembleText } from "./asm.js";

export interface Workload {
  name: string;
  /** Runs once, returns its EVM gas spent and steps; `commit` keeps its writes. */
  run(commit: boolean): { gas: bigint; steps: bigint; stepGas: bigint; ok: boolean };
}

export interface Measured {
  name: string;
  gas: number;
  steps: number;
  /** The steps' Weft gas under the current table (`EVM_OP_STEP_GAS`). */
  stepGas: number;
  /** Steps of each opcode. */
  opCounts: Float64Array;
  /** Process CPU ns of one run: the fastest of the rounds. */
  ns: number;
}

const FROM = "0x00000000000000000000000000000000000000bb" as Address;
const LOOP_AT = "0x00000000000000000000000000000000000000aa" as Address;
const CALLEE = "0x00000000000000000000000000000000000000cc" as Address;
const BIG_CALLEE = "0x00000000000000000000000000000000000000dd" as Address;
const BLOCK = evmBlockOf({ height: 1n, time: 1n, chainId: 1n, feeRecipient: FROM });

/** Instruction loops, each run until its gas is spent. */
export const LOOPS: Record<string, string> = {
  "JUMPDEST sled (100 a lap)": `loop: ${"JUMPDEST ".repeat(100)} @loop JUMP`,
  "JUMP loop (PUSH1 POP)": "loop: PUSH1 0 POP @loop JUMP",
  "ADD loop": "loop: PUSH0 PUSH0 ADD PUSH0 ADD POP @loop JUMP",
  "DUP/SWAP loop": "PUSH0 PUSH0 loop: DUP2 DUP2 SWAP1 POP POP @loop JUMP",
  "KECCAK256 of 32 bytes": "loop: PUSH1 32 PUSH0 SHA3 POP @loop JUMP",
  "KECCAK256 of 4 KiB": "loop: PUSH2 0x1000 PUSH0 SHA3 POP @loop JUMP",
  "warm SLOAD": "PUSH0 SLOAD POP loop: PUSH0 SLOAD POP @loop JUMP",
  "SSTORE to new slots": "PUSH1 1 loop: DUP1 DUP1 SSTORE PUSH1 1 ADD @loop JUMP",
  "SSTORE rewriting one slot": "loop: GAS PUSH0 SSTORE @loop JUMP",
  "MSTORE at 0": "loop: PUSH0 PUSH0 MSTORE @loop JUMP",
  "MSTORE growing memory": "PUSH0 loop: DUP1 DUP1 MSTORE PUSH1 32 ADD @loop JUMP",
  "CALL of a contract that stops": `loop: PUSH0 PUSH0 PUSH0 PUSH0 PUSH0 PUSH20 ${CALLEE} GAS CALL POP @loop JUMP`,
  "CALL of a 24 KB contract that jumps": `loop: PUSH0 PUSH0 PUSH0 PUSH0 PUSH0 PUSH20 ${BIG_CALLEE} GAS CALL POP @loop JUMP`,
  "STATICCALL of ECRECOVER (0x01)": `${recoverInput()} loop: PUSH1 32 PUSH1 128 PUSH1 128 PUSH0 PUSH1 1 GAS STATICCALL POP @loop JUMP`,
};

/** ECRECOVER's input (hash, v, r, s) stored in memory at 0, for a signature that recovers. */
function recoverInput(): string {
  const lib = createRequire(import.meta.url)("secp256k1") as {
    ecdsaSign(hash: Uint8Array, key: Uint8Array): { signature: Uint8Array; recid: number };
  };
  const hash = keccak256(Uint8Array.of(1));
  const { signature, recid } = lib.ecdsaSign(hash, keccak256(Uint8Array.of(2)));
  const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString("hex")}`;
  return [
    `PUSH32 ${hex(hash)} PUSH0 MSTORE`,
    `PUSH1 ${27 + recid} PUSH1 32 MSTORE`,
    `PUSH32 ${hex(signature.subarray(0, 32))} PUSH1 64 MSTORE`,
    `PUSH32 ${hex(signature.subarray(32))} PUSH1 96 MSTORE`,
  ].join(" ");
}

/** A contract that jumps over 24,000 bytes of zeros to a STOP (its code scanned whole). */
const BIG_CODE = assembleText(`@end JUMP ${"STOP ".repeat(24_000)} end: STOP`);

/** A state in a map, and messages run over it by `runner`. */
class MapChain {
  readonly state = new Map<StateKey, StateValue>();
  constructor(readonly runner: EvmRunner) {}

  setCode(at: Address, code: Uint8Array): void {
    const hash = keccak256(code);
    this.state.set(evmCodeHashKey(at), hash);
    this.state.set(evmCodeKey(hash), code);
  }

  message(to: Address | undefined, data: Uint8Array, gas: bigint, commit: boolean) {
    const { result, writes, steps, stepGas } = this.runner.runMessage(
      { read: (key) => this.state.get(key) },
      BLOCK,
      {
        from: FROM,
        fields: {
          type: 2,
          chainId: 1n,
          nonce: 0n,
          gasLimit: gas,
          ...(to === undefined ? {} : { to }),
          value: 0n,
          data,
          accessList: [],
          maxFeePerGas: 0n,
          maxPriorityFeePerGas: 0n,
        },
        gas,
        gasPrice: 0n,
        prepay: 0n,
      },
      () => 0n,
    );
    if (commit)
      for (const [key, value] of writes) {
        if (value === null) this.state.delete(key);
        else this.state.set(key, value);
      }
    const exec = result.execResult;
    const created = result.createdAddress;
    return {
      gas: exec.executionGasUsed,
      steps,
      stepGas,
      ok: exec.exceptionError === undefined,
      created:
        created === undefined ? undefined : (`0x${Buffer.from(created.bytes).toString("hex")}` as Address),
    };
  }
}

/** The loop workloads, `gas` each. */
export function loopWorkloads(runner: EvmRunner, gas: bigint): Workload[] {
  return Object.entries(LOOPS).map(([name, source]) => {
    const chain = new MapChain(runner);
    chain.setCode(LOOP_AT, assembleText(source));
    chain.setCode(CALLEE, Uint8Array.of(0));
    chain.setCode(BIG_CALLEE, BIG_CODE);
    // Scanning 24 KB a call: a twentieth of the gas takes as long as the other loops.
    const loopGas = source.includes(BIG_CALLEE) ? gas / 20n : gas;
    return { name, run: () => chain.message(LOOP_AT, new Uint8Array(0), loopGas, false) };
  });
}

/** Uniswap V2: each step timed where it runs, the state carried from one to the next. */
export function uniswapWorkloads(runner: EvmRunner): Workload[] {
  const chain = new MapChain(runner);
  const GAS = 16_000_000n;
  const at: Record<string, Address> = {};
  const deploy =
    (key: string, code: () => Uint8Array): Workload["run"] =>
    (commit) => {
      const out = chain.message(undefined, code(), GAS, commit);
      if (commit && out.created !== undefined) at[key] = out.created;
      return out;
    };
  const send =
    (to: () => Address, data: () => Uint8Array): Workload["run"] =>
    (commit) =>
      chain.message(to(), data(), GAS, commit);
  const steps: Array<[string | undefined, Workload["run"]]> = [
    [undefined, deploy("weth", () => UNISWAP.weth())],
    [undefined, deploy("factory", () => UNISWAP.factory(FROM))],
    ["Uniswap: deploy an ERC-20", deploy("a", () => UNISWAP.erc20(10n ** 30n))],
    [undefined, deploy("b", () => UNISWAP.erc20(10n ** 30n))],
    [
      "Uniswap: deploy the router",
      deploy("router", () => UNISWAP.router(at.factory as Address, at.weth as Address)),
    ],
    [
      "Uniswap: create a pair",
      send(
        () => at.factory as Address,
        () => call.createPair(at.a as Address, at.b as Address),
      ),
    ],
    [
      "Uniswap: approve",
      send(
        () => at.a as Address,
        () => call.approve(at.router as Address, MAX_UINT),
      ),
    ],
    [
      undefined,
      send(
        () => at.b as Address,
        () => call.approve(at.router as Address, MAX_UINT),
      ),
    ],
    [
      "Uniswap: add liquidity",
      send(
        () => at.router as Address,
        () =>
          call.addLiquidity(at.a as Address, at.b as Address, 10n ** 24n, 10n ** 24n, FROM, 4_000_000_000n),
      ),
    ],
    [
      "Uniswap: swap tokens for tokens",
      send(
        () => at.router as Address,
        () =>
          call.swapExactTokensForTokens(
            10n ** 18n,
            0n,
            [at.a as Address, at.b as Address],
            FROM,
            4_000_000_000n,
          ),
      ),
    ],
    [
      "Uniswap: ERC-20 transfer",
      send(
        () => at.a as Address,
        () => call.transfer(pairFor(at.factory as Address, at.a as Address, at.b as Address), 1n),
      ),
    ],
  ];
  return steps.map(([name, run], i) => ({ name: name ?? `(setup ${i})`, run }));
}

/**
 * Times each workload: `rounds` runs after a warm-up, the fastest in process CPU time; the
 * last run of each keeps its writes (the Uniswap steps build on one another). Setup steps
 * (unnamed) run once and are not reported.
 */
export function measure(runner: EvmRunner, workloads: readonly Workload[], rounds: number): Measured[] {
  const rows: Measured[] = [];
  for (const w of workloads) {
    if (w.name.startsWith("(setup")) {
      if (!w.run(true).ok) throw new Error(`${w.name} failed`);
      continue;
    }
    let best = Number.POSITIVE_INFINITY;
    let last = { gas: 0n, steps: 0n, stepGas: 0n, ok: true };
    const opCounts = new Float64Array(256);
    for (let r = 0; r <= rounds; r++) {
      runner.opCounts = r === rounds ? opCounts : undefined;
      const start = process.cpuUsage();
      last = w.run(r === rounds);
      const used = process.cpuUsage(start);
      if (r > 0) best = Math.min(best, (used.user + used.system) * 1000);
    }
    runner.opCounts = undefined;
    rows.push({
      name: w.name,
      gas: Number(last.gas),
      steps: Number(last.steps),
      stepGas: Number(last.stepGas),
      opCounts,
      ns: best,
    });
  }
  return rows;
}
