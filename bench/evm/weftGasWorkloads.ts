/**
 * The EVM workloads `bench/evmGasWeight.ts` times to fit Weft's EVM pricing
 * (`src/evm/weftGas.ts`): loops of one instruction class each, run until their gas is spent
 * (cheap instructions, hashing, storage, memory, calls), loops of calls to each precompile,
 * and the Uniswap V2 contracts
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
import { EVM_GAS_TIME_WEIGHT, EVM_PRECOMPILE_GAS } from "../../src/evm/weftGas.js";
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

/** ECRECOVER's input (hash, v, r, s) for a signature that recovers, in hex. */
function recoverInputHex(): string {
  const [hash, v, r, s] = recoverParts();
  return hash + v.toString(16).padStart(64, "0") + r + s;
}

/** A signature that recovers: its hash, v, r and s (hex, 32 bytes each but v). */
function recoverParts(): [string, number, string, string] {
  const lib = createRequire(import.meta.url)("secp256k1") as {
    ecdsaSign(hash: Uint8Array, key: Uint8Array): { signature: Uint8Array; recid: number };
  };
  const hash = keccak256(Uint8Array.of(1));
  const { signature, recid } = lib.ecdsaSign(hash, keccak256(Uint8Array.of(2)));
  const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
  return [hex(hash), 27 + recid, hex(signature.subarray(0, 32)), hex(signature.subarray(32))];
}

/** ECRECOVER's input (hash, v, r, s) stored in memory at 0, for a signature that recovers. */
function recoverInput(): string {
  const [hash, v, r, s] = recoverParts();
  return `PUSH32 0x${hash} PUSH0 MSTORE PUSH1 ${v} PUSH1 32 MSTORE PUSH32 0x${r} PUSH1 64 MSTORE PUSH32 0x${s} PUSH1 96 MSTORE`;
}

/**
 * The precompiles, each called in a loop with one input (ECRECOVER, SHA-256, RIPEMD-160 and
 * identity per KiB; MODEXP's shapes up to a 1 KiB exponent; BN254; BLAKE2 F with few and many
 * rounds; BLS12-381), so that each slow one's `EVM_PRECOMPILE_GAS` is checked against its time.
 * Address, then input in hex.
 */
export const PRECOMPILE_LOOPS: Record<string, [number, string]> = (() => {
  const w = (x: number) => x.toString(16).padStart(64, "0");
  const fp = (hex: string) => "00".repeat(16) + hex.padStart(96, "0");
  const ff = (n: number) => "ff".repeat(n);
  let seed = 7;
  const bytes = (n: number) => {
    let out = "";
    for (let i = 0; i < n; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      out += ((seed >>> 16) & 255).toString(16).padStart(2, "0");
    }
    return out;
  };
  const modexp = (b: string, e: string, m: string) =>
    w(b.length / 2) + w(e.length / 2) + w(m.length / 2) + b + e + m;
  const blake = (rounds: number) =>
    `${rounds.toString(16).padStart(8, "0")}${bytes(64)}${bytes(128)}${"00".repeat(16)}01`;
  // BN254's G1 generator (1, 2) and G2 generator; BLS12-381's G1 and G2 generators.
  const g1 = w(1) + w(2);
  const g2 =
    "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c21800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed" +
    "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa";
  const bg1 =
    fp("17f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb") +
    fp("08b3f481e3aaa0f1a09e30ed741d8ae4fcf5e095d5d00af600db18cb2c04b3edd03cc744a2888ae40caa232946c5e7e1");
  const bg2 =
    fp("024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8") +
    fp("13e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e") +
    fp("0ce5d527727d6e118cc9cdc6da2e351aadfd9baa8cbdd3a76d429a695160d12c923ac9cc3baca289e193548608b82801") +
    fp("0606c4a02ea734cc32acd2b02bc28b99cb3e287e85a763af267492ab572e99ab3f370d275cec1da1aaa9075ff05f79be");
  return {
    "precompile 0x01 ecrecover": [0x01, recoverInputHex()],
    "precompile 0x02 sha256 of 1 KiB": [0x02, bytes(1024)],
    "precompile 0x03 ripemd160 of 1 KiB": [0x03, bytes(1024)],
    "precompile 0x04 identity of 1 KiB": [0x04, bytes(1024)],
    "precompile 0x05 modexp 1/32/1 (200 gas)": [0x05, modexp("03", ff(32), "07")],
    "precompile 0x05 modexp 64/64/64": [0x05, modexp(bytes(64), ff(64), `${bytes(63)}01`)],
    "precompile 0x05 modexp 256/32/256": [0x05, modexp(bytes(256), ff(32), `${bytes(255)}01`)],
    "precompile 0x05 modexp 32/1024/32 (1 KiB exponent)": [
      0x05,
      modexp(bytes(32), ff(1024), `${bytes(31)}01`),
    ],
    "precompile 0x05 modexp 512/3/512": [0x05, modexp(bytes(512), "010001", `${bytes(511)}01`)],
    "precompile 0x06 bn254 add": [0x06, g1 + g1],
    "precompile 0x07 bn254 mul (max scalar)": [0x07, g1 + ff(32)],
    "precompile 0x08 bn254 pairing, 1 pair": [0x08, g1 + g2],
    "precompile 0x08 bn254 pairing, 4 pairs": [0x08, (g1 + g2).repeat(4)],
    "precompile 0x09 blake2f 12 rounds": [0x09, blake(12)],
    "precompile 0x09 blake2f 10,000 rounds": [0x09, blake(10_000)],
    "precompile 0x0b bls g1 add": [0x0b, bg1 + bg1],
    "precompile 0x0c bls g1 msm, 1 point": [0x0c, bg1 + ff(32)],
    "precompile 0x0c bls g1 msm, 16 points": [0x0c, (bg1 + ff(32)).repeat(16)],
    "precompile 0x0d bls g2 add": [0x0d, bg2 + bg2],
    "precompile 0x0e bls g2 msm, 1 point": [0x0e, bg2 + ff(32)],
    "precompile 0x0e bls g2 msm, 4 points": [0x0e, (bg2 + ff(32)).repeat(4)],
    "precompile 0x0f bls pairing, 1 pair": [0x0f, bg1 + bg2],
    "precompile 0x0f bls pairing, 4 pairs": [0x0f, (bg1 + bg2).repeat(4)],
    "precompile 0x10 bls map fp to g1": [0x10, fp("1234567890abcdef")],
    "precompile 0x11 bls map fp2 to g2": [0x11, fp("1234567890abcdef") + fp("fedcba0987654321")],
  };
})();

/** A contract that copies its call data to memory and calls precompile `address` with it `calls` times; a failed call reverts. */
function precompileLoop(address: number, calls: number): Uint8Array {
  const call = `PUSH0 PUSH0 CALLDATASIZE PUSH0 PUSH1 ${address} GAS STATICCALL`;
  return assembleText(
    `CALLDATASIZE PUSH0 PUSH0 CALLDATACOPY PUSH4 ${calls} loop: DUP1 ISZERO @end JUMPI ${call} ISZERO @fail JUMPI PUSH1 1 SWAP1 SUB @loop JUMP end: STOP fail: PUSH0 PUSH0 REVERT`,
  );
}

/**
 * The precompile loops: each makes as many calls as spend about `gas` × `EVM_GAS_TIME_WEIGHT`
 * Weft gas under the current pricing (its EVM gas × (weight + `EVM_PRECOMPILE_GAS`)), as a
 * plain loop of `gas` does, and `minCalls` at least; the count comes from one call's EVM
 * gas, measured first. A loop whose call fails throws (its figures would mean nothing).
 */
export function precompileWorkloads(
  runner: EvmRunner,
  gas: bigint,
  only: (name: string) => boolean = () => true,
  minCalls = 20,
): Workload[] {
  const out: Workload[] = [];
  for (const [name, [address, input]] of Object.entries(PRECOMPILE_LOOPS)) {
    if (!only(name)) continue;
    const chain = new MapChain(runner);
    const data = Uint8Array.from(Buffer.from(input, "hex"));
    const LIMIT = 1_000_000_000n;
    chain.setCode(LOOP_AT, precompileLoop(address, 1));
    const one = chain.message(LOOP_AT, data, LIMIT, false);
    if (!one.ok) throw new Error(`${name}: the precompile call failed`);
    const hex = `0x${address.toString(16).padStart(40, "0")}`;
    const weight = Number(EVM_GAS_TIME_WEIGHT);
    const perGas = weight + (EVM_PRECOMPILE_GAS.get(hex) ?? 0);
    const calls = Math.max(minCalls, Math.ceil((Number(gas) * weight) / perGas / Number(one.gas)));
    chain.setCode(LOOP_AT, precompileLoop(address, calls));
    out.push({
      name: `${name} ×${calls}`,
      run: () => {
        const result = chain.message(LOOP_AT, data, LIMIT, false);
        if (!result.ok) throw new Error(`${name}: the precompile loop failed`);
        return result;
      },
    });
  }
  return out;
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
