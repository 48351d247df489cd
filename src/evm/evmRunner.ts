/**
 * One thread's EVM: the realm with the ethereumjs packages (`realm.ts`), Weft's state
 * manager (`stateManager.ts`), and an `@ethereumjs/evm` instance per chain id (the
 * CHAINID opcode comes from its `Common`), at the fork of `ethTx.ts` (`EVM_HARDFORK`).
 *
 * `runMessage` runs a transaction's top-level message synchronously: the warm set of
 * EIP-2929 (precompiles, sender, recipient, the fee recipient of EIP-3651, the access
 * list), then `runCall`, then EIP-6780's deletions and EIP-161's cleanup of touched empty
 * accounts, then the caller's settlement (unused gas paid back), all inside the state
 * manager's overlay, whose writes are the transaction's.
 *
 * A runner is kept per thread (`evmRunnerForThread`): loading the realm takes ~0.3 s and
 * the runner holds nothing between transactions (the journal, the transient storage and
 * the overlay are emptied after each).
 */
import type { EVM, EVMResult } from "@ethereumjs/evm";
import { type Address, addressFromBytes, addressToBytes } from "../codec/address.js";
import type { StateView } from "../engine/types.js";
import type { WriteSet } from "../state/storage.js";
import { commonChainId, type EthTxFields, EVM_HARDFORK } from "./ethTx.js";
import { createEvmRealm, type EvmRealm } from "./realm.js";
import { WeftStateManager } from "./stateManager.js";
import {
  EVM_CODE_BYTE_GAS,
  EVM_HASH_BYTE_GAS,
  EVM_OP_STEP_GAS,
  EVM_STEP_GAS,
  evmStepGasLimit,
} from "./weftGas.js";

/**
 * The block as EVM code sees it (NUMBER, TIMESTAMP, COINBASE, BASEFEE, GASLIMIT,
 * PREVRANDAO, BLOCKHASH); `chain/evmBlock.ts` derives it from Weft's block context.
 */
export interface EvmBlock {
  chainId: bigint;
  height: bigint;
  time: bigint;
  coinbase: Address;
  /** Per EVM gas. */
  baseFee: bigint;
  /** In EVM gas. */
  gasLimit: bigint;
  /** 32 bytes. */
  prevRandao: Uint8Array;
  /** BLOCKHASH: the hash of block `number` (called only for the 256 blocks before `height`); undefined = zero. */
  hashOf(number: bigint): Uint8Array | undefined;
}

export interface EvmMessage {
  from: Address;
  fields: EthTxFields;
  /** Gas for execution: the gas limit less the intrinsic gas. */
  gas: bigint;
  /** The price per gas the transaction pays (GASPRICE). */
  gasPrice: bigint;
  /** Taken from the sender's balance before the message runs (gas limit × price). */
  prepay: bigint;
}

/** What the host precompile (`HOST_PRECOMPILE`) answers a call with. */
export interface HostCallResult {
  /** EVM gas the call used (at most the gas it had). */
  gasUsed: bigint;
  returnValue: Uint8Array;
  /** The call reverted (its writes are not kept); `outOfGas` it ran out. */
  failure?: "revert" | "outOfGas";
}

/** The host's side of `HOST_PRECOMPILE`: `caller` is the account that called it (an EOA or EVM contract). */
export type HostCall = (caller: Address, data: Uint8Array, gasLimit: bigint) => HostCallResult;

/** The address of the precompile through which EVM code calls into Weft (`chain/wasmFromEvm.ts`). */
export const HOST_PRECOMPILE = "0x0000000000000000000000000000000000000100" as Address;

export interface EvmOutcome {
  result: EVMResult;
  writes: WriteSet;
  /** Instructions executed, in every frame. */
  steps: bigint;
  /** Their Weft gas (`weftGas.ts`): at most `evmStepGasLimit` of the gas limit under Weft's pricing. */
  stepGas: bigint;
}

const KECCAK256 = 0x20;

/** What an opcode handler's run state holds that the step counter reads. */
interface StackHolder {
  stack: { peek(count: number): bigint[] };
}

/** One entry of ethereumjs's opcode table (`EVM._opcodeMap`), as far as the runner touches it. */
interface OpcodeEntry {
  opHandler: (runState: unknown, common: unknown) => unknown;
}

const ZERO_32 = new Uint8Array(32);

export class EvmRunner {
  readonly realm: EvmRealm;
  readonly state: WeftStateManager;
  private readonly evms = new Map<bigint, EVM>();
  /** The block of the message running: BLOCKHASH asks `blockchain` (below), which answers from it. */
  private block: EvmBlock | undefined;
  /** Answers `HOST_PRECOMPILE` during the message running (undefined: it fails). */
  private host: HostCall | undefined;
  /** The caller of each message frame entered, innermost last (the precompile's caller is the top). */
  private readonly callers: Address[] = [];
  /** The EVM's `blockchain` option: its BLOCKHASH (before EIP-7709) only calls `getBlock`. */
  private readonly blockchain = {
    getBlock: (number: number) => {
      const hash = this.block?.hashOf(BigInt(number)) ?? ZERO_32;
      return { hash: () => hash };
    },
  };

  /** Instructions executed in the message running, their Weft gas and the most it may be (`weftGas.ts`). */
  private steps = 0;
  private stepGas = 0;
  private stepGasLimit = Number.POSITIVE_INFINITY;
  /** When set, each opcode's steps are counted in it too (benchmarks: `bench/evmGasWeight.ts`). */
  opCounts: Float64Array | undefined;

  /** The fork whose rules this runner follows: Weft's (`EVM_HARDFORK`); conformance tests pin the vectors' fork. */
  readonly hardfork: string;
  /**
   * Weft's pricing of instructions (`weftGas.ts`): a message's steps capped at `evmStepLimit`
   * of its gas limit, and its fee at least its Weft gas. Off for Ethereum's conformance vectors.
   */
  readonly weftPricing: boolean;

  constructor(
    realm: EvmRealm = createEvmRealm(),
    hardfork: string = EVM_HARDFORK,
    options: { weftPricing?: boolean } = {},
  ) {
    this.realm = realm;
    this.hardfork = hardfork;
    this.weftPricing = options.weftPricing ?? true;
    this.state = new WeftStateManager(realm.packages.util);
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
  private countSteps(evm: EVM): void {
    const { EVMError } = this.realm.packages.evm;
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
        if (this.stepGas > this.stepGasLimit) throw new EVMError(EVMError.errorMessages.OUT_OF_GAS);
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

  private evmFor(chainId: bigint): EVM {
    let evm = this.evms.get(chainId);
    if (evm === undefined) {
      const { common, evm: evmPackage } = this.realm.packages;
      const chainCommon = common.createCustomCommon({ chainId: commonChainId(chainId) }, common.Mainnet, {
        hardfork: this.hardfork,
      });
      evm = this.realm.runSync(
        (opts) => evmPackage.createEVM(opts),
        // The state manager answers synchronously; the interface's promises are only awaited.
        {
          common: chainCommon,
          stateManager: this.state as never,
          blockchain: this.blockchain as never,
          customPrecompiles: [
            {
              address: new this.realm.packages.util.Address(addressToBytes(HOST_PRECOMPILE)),
              function: (input: { data: Uint8Array; gasLimit: bigint }) => this.hostCall(input),
            },
          ],
        } as never,
      );
      // Precompiles are not told their caller: each message frame's caller is kept here.
      // The wrapper only records and returns the realm's own promise (see realm.ts).
      const frames = evm as unknown as {
        _executeCall(message: { caller: { bytes: Uint8Array } }): Promise<unknown>;
      };
      const execute = frames._executeCall.bind(evm);
      frames._executeCall = (message) => {
        this.callers.push(addressFromBytes(message.caller.bytes));
        return execute(message);
      };
      // Each frame that runs code (a call's, a creation's init code) pays for its bytes:
      // ethereumjs scans the whole code for jump destinations in every frame that jumps.
      // Counted, not thrown: the frame's first instruction past the limit fails.
      const interpreters = evm as unknown as {
        runInterpreter(message: { code?: Uint8Array }, opts: unknown): Promise<unknown>;
      };
      const interpret = interpreters.runInterpreter.bind(evm);
      interpreters.runInterpreter = (message, opts) => {
        this.stepGas += (message.code?.length ?? 0) * EVM_CODE_BYTE_GAS;
        return interpret(message, opts);
      };
      this.countSteps(evm);
      this.evms.set(chainId, evm);
    }
    return evm;
  }

  private hostCall(input: { data: Uint8Array; gasLimit: bigint }) {
    const caller = this.callers[this.callers.length - 1];
    const errors = this.realm.packages.evm;
    const fail = (error: string, gasUsed: bigint, returnValue: Uint8Array) => ({
      executionGasUsed: gasUsed,
      returnValue,
      exceptionError: new errors.EVMError(error as never),
    });
    if (this.host === undefined || caller === undefined) return fail("revert", 0n, new Uint8Array(0));
    const result = this.host(caller, input.data, input.gasLimit);
    const gasUsed = result.gasUsed > input.gasLimit ? input.gasLimit : result.gasUsed;
    if (result.failure === "outOfGas") return fail("out of gas", input.gasLimit, new Uint8Array(0));
    if (result.failure === "revert") return fail("revert", gasUsed, result.returnValue);
    return { executionGasUsed: gasUsed, returnValue: result.returnValue };
  }

  private address(address: Address) {
    return new this.realm.packages.util.Address(addressToBytes(address));
  }

  /**
   * Runs one transaction's message over `view`: `prepay` is taken from the sender first,
   * and what `settle` returns (for the result) is paid back to it at the end. Every
   * effect is in the returned writes.
   */
  runMessage(
    view: StateView,
    block: EvmBlock,
    message: EvmMessage,
    settle: (result: EVMResult, stepGas: bigint) => bigint,
    host?: HostCall,
  ): EvmOutcome {
    const evm = this.evmFor(block.chainId);
    const state = this.state;
    state.begin(view);
    this.block = block;
    this.host = host;
    this.callers.length = 0;
    this.steps = 0;
    this.stepGas = 0;
    this.stepGasLimit = this.weftPricing
      ? Number(evmStepGasLimit(message.fields.gasLimit))
      : Number.POSITIVE_INFINITY;
    try {
      state.setBalance(message.from, state.balanceOf(message.from) - message.prepay);
      const journal = evm.journal;
      for (const precompile of evm.precompiles.keys()) journal.addAlwaysWarmAddress(precompile);
      journal.addAlwaysWarmAddress(message.from);
      if (message.fields.to !== undefined) journal.addAlwaysWarmAddress(message.fields.to);
      journal.addAlwaysWarmAddress(block.coinbase);
      for (const entry of message.fields.accessList) {
        journal.addAlwaysWarmAddress(entry.address);
        for (const slot of entry.slots)
          journal.addAlwaysWarmSlot(entry.address, Buffer.from(slot).toString("hex"));
      }
      const header = {
        number: block.height,
        coinbase: this.address(block.coinbase),
        timestamp: block.time,
        difficulty: 0n,
        prevRandao: block.prevRandao,
        gasLimit: block.gasLimit,
        baseFeePerGas: block.baseFee,
        slotNumber: 0n,
        getBlobGasPrice: () => 1n,
      };
      const to = message.fields.to;
      const result = this.realm.runSync((opts) => evm.runCall(opts), {
        block: { header } as never,
        caller: this.address(message.from),
        origin: this.address(message.from),
        ...(to === undefined ? {} : { to: this.address(to) }),
        value: message.fields.value,
        data: message.fields.data,
        gasLimit: message.gas,
        gasPrice: message.gasPrice,
      });
      // EIP-6780: an account destroyed in the transaction that created it is removed.
      const created = result.execResult.createdAddresses ?? new Set<string>();
      for (const destroyed of result.execResult.selfdestruct?.keys() ?? []) {
        if (!created.has(destroyed)) continue;
        const address = this.address(destroyed as Address);
        state.deleteAccount(address);
        state.clearStorage(address);
      }
      this.realm.runSync(() => journal.cleanup(), undefined);
      // The step that threw past the limit did nothing: the step gas counts up to the limit.
      const stepGas = BigInt(Math.min(this.stepGas, this.stepGasLimit));
      state.setBalance(message.from, state.balanceOf(message.from) + settle(result, stepGas));
      return { result, writes: state.finish(), steps: BigInt(this.steps), stepGas };
    } catch (error) {
      state.finish();
      evm.journal.cleanJournal();
      throw error;
    } finally {
      this.block = undefined;
      this.host = undefined;
      this.callers.length = 0;
    }
  }
}

let threadRunner: EvmRunner | undefined;

/** This thread's runner, made on first use. */
export function evmRunnerForThread(): EvmRunner {
  threadRunner ??= new EvmRunner();
  return threadRunner;
}
