/**
 * Counting a message's EVM instructions and their Weft gas (`weftGas.ts`) as they run, and
 * failing the instruction that passes the message's limit with out of gas: the opcode
 * table of each EVM a runner (`evmRunner.ts`) makes is wrapped once (`wrap`), each frame
 * that runs code adds its bytes (`code`), and the slow precompiles add step gas per EVM gas
 * they use, run with no more gas than the budget left holds (`pricePrecompiles`).
 */
import type { EVM } from "@ethereumjs/evm";
import type { EvmRealm } from "./realm.js";
import {
  EVM_CODE_BYTE_GAS,
  EVM_HASH_BYTE_GAS,
  EVM_OP_STEP_GAS,
  EVM_PRECOMPILE_GAS,
  EVM_STEP_GAS,
} from "./weftGas.js";

const KECCAK256 = 0x20;

/** What a precompile gets and answers, as ethereumjs passes it (`PrecompileInput`, `ExecResult`). */
interface PrecompileInput {
  gasLimit: bigint;
}
interface PrecompileResult {
  executionGasUsed: bigint;
  exceptionError?: unknown;
}
type Precompile = (input: PrecompileInput) => PrecompileResult | Promise<PrecompileResult>;

/**
 * Made in the realm (its `await` must resume on the realm's queue, `realm.ts`): runs the
 * precompile with the gas limit `limit` gives, then hands the result to `settle`.
 */
const PRICED_PRECOMPILE = `(inner, limit, settle) => async (input) => {
  const result = await inner({ ...input, gasLimit: limit(input.gasLimit) });
  return settle(input.gasLimit, result);
}`;

/** What an opcode handler's run state holds that the step counter reads. */
interface StackHolder {
  stack: { peek(count: number): bigint[] };
}

/** One entry of ethereumjs's opcode table (`EVM._opcodeMap`), as far as the runner touches it. */
interface OpcodeEntry {
  opHandler: (runState: unknown, common: unknown) => unknown;
}

/** The instructions of the message running, their Weft gas and the most it may be. */
export class StepMeter {
  steps = 0;
  stepGas = 0;
  limit = Number.POSITIVE_INFINITY;
  /** When set, each opcode's steps are counted in it too (benchmarks: `bench/evmGasWeight.ts`). */
  opCounts: Float64Array | undefined;

  /** A new message: nothing counted yet, at most `limit` Weft gas of steps. */
  start(limit: number): void {
    this.steps = 0;
    this.stepGas = 0;
    this.limit = limit;
  }

  /** The step gas so far: the step that threw past the limit did nothing, so at most the limit. */
  used(): bigint {
    return BigInt(Math.min(this.stepGas, this.limit));
  }

  /**
   * A frame that runs `bytes` of code (a call's, a creation's init code) pays for them:
   * ethereumjs scans the whole code for jump destinations in every frame that jumps.
   * Counted, not thrown: the frame's first instruction past the limit fails.
   */
  code(bytes: number): void {
    this.stepGas += bytes * EVM_CODE_BYTE_GAS;
  }

  /**
   * Wraps every opcode handler of `evm` once so that it counts the step and its Weft gas
   * (`EVM_OP_STEP_GAS`; KECCAK256 also its bytes), and fails it with out of gas past the
   * message's limit. ethereumjs charges the instruction's EVM gas, then calls its handler
   * (`Interpreter.runStep`): an instruction whose EVM gas ran out is not counted; one past
   * the limit has paid its gas and throws before doing anything, and the interpreter treats
   * the error as its own out of gas (the frame's remaining gas is taken; every later step
   * of an enclosing frame throws too).
   */
  wrap(evm: EVM, realm: EvmRealm): void {
    const { EVMError } = realm.packages.evm;
    const table = (evm as unknown as { _opcodeMap: OpcodeEntry[] })._opcodeMap;
    for (let op = 0; op < table.length; op++) {
      const entry = table[op];
      if (entry === undefined) continue;
      const handler = entry.opHandler;
      const gas = EVM_OP_STEP_GAS[op] ?? EVM_STEP_GAS;
      const charge = (stepGas: number) => {
        this.steps++;
        if (this.opCounts !== undefined) this.opCounts[op] = (this.opCounts[op] ?? 0) + 1;
        this.stepGas += stepGas;
        if (this.stepGas > this.limit) throw new EVMError(EVMError.errorMessages.OUT_OF_GAS);
      };
      const opHandler: OpcodeEntry["opHandler"] =
        op === KECCAK256
          ? (runState, common) => {
              // Its gas handler has checked the stack and charged the memory: the length is on it.
              const [, length] = (runState as StackHolder).stack.peek(2);
              charge(gas + Number(length) * EVM_HASH_BYTE_GAS);
              return handler(runState, common);
            }
          : (runState, common) => {
              charge(gas);
              return handler(runState, common);
            };
      table[op] = { ...entry, opHandler };
    }
  }

  /**
   * Each precompile of `EVM_PRECOMPILE_GAS` counts `perGas` step gas per EVM gas it uses. It
   * runs with at most the EVM gas whose step gas the message's step budget still holds: past
   * it, it fails as on too little gas (the whole gas it was given; the calling frame goes on),
   * before doing its work, so that its time stays within what the message pays for.
   */
  pricePrecompiles(evm: EVM, realm: EvmRealm): void {
    const precompiles = (evm as unknown as { precompiles: Map<string, Precompile> }).precompiles;
    const wrap =
      realm.evaluate<
        (
          inner: Precompile,
          limit: (gasLimit: bigint) => bigint,
          settle: (gasLimit: bigint, result: PrecompileResult) => PrecompileResult,
        ) => Precompile
      >(PRICED_PRECOMPILE);
    for (const [address, perGas] of EVM_PRECOMPILE_GAS) {
      const key = address.slice(2);
      const inner = precompiles.get(key);
      if (inner === undefined) continue;
      const limit = (gasLimit: bigint): bigint => {
        const room = this.limit - this.stepGas;
        if (room === Number.POSITIVE_INFINITY) return gasLimit;
        const affordable = room <= 0 ? 0n : BigInt(Math.floor(room / perGas));
        return gasLimit < affordable ? gasLimit : affordable;
      };
      const settle = (gasLimit: bigint, result: PrecompileResult): PrecompileResult => {
        // A failed precompile takes all the gas it was given (ethereumjs's own rule), also
        // when it was given less here.
        if (result.exceptionError !== undefined) return { ...result, executionGasUsed: gasLimit };
        this.stepGas += Number(result.executionGasUsed) * perGas;
        return result;
      };
      precompiles.set(key, wrap(inner, limit, settle));
    }
  }
}
