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
 * `runCall` runs a message that WASM code started (`evm_call`, `chain/evmFromWasm.ts`): from
 * the WASM contract's address, at the depth the call chain has reached, with no nonce,
 * prepay or settlement (the WASM side charges the gas).
 *
 * A runner is kept per thread (`evmRunnerForThread`): loading the realm takes ~0.1-0.3 s and
 * the runner holds nothing between transactions (the journal, the transient storage and
 * the overlay are emptied after each). A runner runs one message at a time: its realm
 * drains its microtask queue only when no job of its own is running (`realm.ts`), so EVM
 * code entered again while a message runs (EVM → WASM → EVM) needs another runner, with a
 * realm of its own (`idleEvmRunner`: at most `MAX_EVM_NESTING` per thread).
 */
import type { EVM, EVMResult } from "@ethereumjs/evm";
import { type Address, addressFromBytes, addressToBytes } from "../codec/address.js";
import type { StateView } from "../engine/types.js";
import { EvmStateError } from "./errors.js";
import { commonChainId, EVM_HARDFORK } from "./ethTx.js";
import {
  type EvmBlock,
  type EvmCall,
  type EvmMessage,
  type EvmOutcome,
  HOST_PRECOMPILE,
  type HostCall,
  MAX_EVM_NESTING,
  NO_POINT_EVALUATION,
  POINT_EVALUATION_PRECOMPILE,
} from "./evmMessages.js";
import { precompileRecover } from "./precompileRecover.js";
import { createEvmRealm, type EvmRealm } from "./realm.js";
import { WeftStateManager } from "./stateManager.js";
import { StepMeter } from "./stepMeter.js";
import { evmStepGasLimit } from "./weftGas.js";

export type {
  EvmBlock,
  EvmCall,
  EvmLog,
  EvmMessage,
  EvmOutcome,
  HostCall,
  HostCallResult,
} from "./evmMessages.js";
export {
  HOST_PRECOMPILE,
  MAX_EVM_NESTING,
  NO_POINT_EVALUATION,
  POINT_EVALUATION_PRECOMPILE,
} from "./evmMessages.js";

const ZERO_32 = new Uint8Array(32);

export class EvmRunner {
  readonly realm: EvmRealm;
  readonly state: WeftStateManager;
  private readonly evms = new Map<bigint, EVM>();
  /** The block of the message running: BLOCKHASH asks `blockchain` (below), which answers from it. */
  private block: EvmBlock | undefined;
  /** Answers `HOST_PRECOMPILE` during the message running (undefined: it fails). */
  private host: HostCall | undefined;
  /**
   * The caller, depth and static flag of each message frame entered, innermost last: when
   * the host precompile runs, its own message is the top. Its caller is the account whose
   * code made the call: the message's caller, except under DELEGATECALL, whose message keeps
   * the calling contract's own caller (`msg.sender` is passed down) and runs in the context
   * of `to`, the calling contract. Taking the message's caller there let any EVM contract an
   * account called act as that account in every WASM contract (a DELEGATECALL to the
   * precompile moved the account's WASM tokens).
   */
  private readonly callers: Array<{ caller: Address; depth: number; isStatic: boolean; value: bigint }> = [];
  /** A message is running (see `idleEvmRunner`). */
  private busy = false;
  /** The EVM's `blockchain` option: its BLOCKHASH (before EIP-7709) only calls `getBlock`. */
  private readonly blockchain = {
    getBlock: (number: number) => {
      const hash = this.block?.hashOf(BigInt(number)) ?? ZERO_32;
      return { hash: () => hash };
    },
  };

  /** Instructions executed in the message running, their Weft gas and the most it may be (`weftGas.ts`). */
  private readonly meter = new StepMeter();

  /** When set, each opcode's steps are counted in it too (benchmarks: `bench/evmGasWeight.ts`). */
  get opCounts(): Float64Array | undefined {
    return this.meter.opCounts;
  }
  set opCounts(counts: Float64Array | undefined) {
    this.meter.opCounts = counts;
  }

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

  private evmFor(chainId: bigint): EVM {
    let evm = this.evms.get(chainId);
    if (evm === undefined) {
      const { common, evm: evmPackage } = this.realm.packages;
      const chainCommon = common.createCustomCommon({ chainId: commonChainId(chainId) }, common.Mainnet, {
        hardfork: this.hardfork,
        customCrypto: { ecrecover: precompileRecover(this.realm.packages.util.ecrecover) },
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
            {
              address: new this.realm.packages.util.Address(addressToBytes(POINT_EVALUATION_PRECOMPILE)),
              function: (input: { gasLimit: bigint }) => ({
                executionGasUsed: input.gasLimit,
                returnValue: new Uint8Array(0),
                exceptionError: new this.realm.packages.evm.EVMError(NO_POINT_EVALUATION as never),
              }),
            },
          ],
        } as never,
      );
      // Precompiles are not told their caller: each message frame's caller is kept here.
      // The wrapper only records and returns the realm's own promise (see realm.ts).
      const frames = evm as unknown as {
        _executeCall(message: {
          caller: { bytes: Uint8Array };
          to?: { bytes: Uint8Array };
          depth: number;
          delegatecall?: boolean;
          isStatic?: boolean;
          value?: bigint;
        }): Promise<unknown>;
      };
      const execute = frames._executeCall.bind(evm);
      frames._executeCall = (message) => {
        const acting =
          message.delegatecall === true && message.to !== undefined ? message.to : message.caller;
        this.callers.push({
          caller: addressFromBytes(acting.bytes),
          depth: message.depth,
          isStatic: message.isStatic === true,
          value: message.delegatecall === true ? 0n : (message.value ?? 0n),
        });
        return execute(message);
      };
      // Each frame that runs code pays for its bytes (`StepMeter.code`).
      const interpreters = evm as unknown as {
        runInterpreter(message: { code?: Uint8Array }, opts: unknown): Promise<unknown>;
      };
      const interpret = interpreters.runInterpreter.bind(evm);
      interpreters.runInterpreter = (message, opts) => {
        this.meter.code(message.code?.length ?? 0);
        return interpret(message, opts);
      };
      this.meter.wrap(evm, this.realm);
      this.meter.pricePrecompiles(evm, this.realm);
      this.evms.set(chainId, evm);
    }
    return evm;
  }

  private hostCall(input: { data: Uint8Array; gasLimit: bigint }) {
    const frame = this.callers[this.callers.length - 1];
    const errors = this.realm.packages.evm;
    const fail = (error: string, gasUsed: bigint, returnValue: Uint8Array) => ({
      executionGasUsed: gasUsed,
      returnValue,
      exceptionError: new errors.EVMError(error as never),
    });
    if (this.host === undefined || frame === undefined) return fail("revert", 0n, new Uint8Array(0));

    const result = this.host(
      frame.caller,
      input.data,
      input.gasLimit,
      frame.depth,
      frame.isStatic,
      frame.value,
    );
    const gasUsed = result.gasUsed > input.gasLimit ? input.gasLimit : result.gasUsed;
    if (result.failure === "outOfGas") return fail("out of gas", input.gasLimit, new Uint8Array(0));
    if (result.failure === "revert") return fail("revert", gasUsed, result.returnValue);
    return { executionGasUsed: gasUsed, returnValue: result.returnValue, logs: result.logs ?? [] };
  }

  private address(address: Address) {
    return new this.realm.packages.util.Address(addressToBytes(address));
  }

  /** Whether a message is running on this runner (a nested one needs another: `idleEvmRunner`). */
  get running(): boolean {
    return this.busy;
  }

  private header(block: EvmBlock) {
    return {
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
  }

  /**
   * Runs `body` with the EVM of `block`'s chain over `view`, its steps capped at
   * `evmStepGasLimit(gasLimit)` under Weft's pricing: the state manager's overlay begins
   * empty and every effect is in the returned writes; the journal, transient storage and
   * frame record are emptied after, whatever happened.
   */
  private exclusive(
    view: StateView,
    block: EvmBlock,
    gasLimit: bigint,
    host: HostCall | undefined,
    body: (evm: EVM, stepGas: () => bigint) => EVMResult,
  ): EvmOutcome {
    if (this.busy) throw new EvmStateError("BUSY", "this EVM runner is already running a message");
    const evm = this.evmFor(block.chainId);
    const state = this.state;
    state.begin(view);
    this.block = block;
    this.host = host;
    this.callers.length = 0;
    this.meter.start(this.weftPricing ? Number(evmStepGasLimit(gasLimit)) : Number.POSITIVE_INFINITY);
    this.busy = true;
    const stepGas = () => this.meter.used();
    try {
      const result = body(evm, stepGas);
      return { result, writes: state.finish(), steps: BigInt(this.meter.steps), stepGas: stepGas() };
    } catch (error) {
      state.finish();
      evm.journal.cleanJournal();
      throw error;
    } finally {
      // EIP-1153: transient storage lives for one message (ethereumjs clears it after a
      // depth-0 message only, and an `evm_call`'s starts deeper).
      (evm as unknown as { postMessageCleanup(): void }).postMessageCleanup();
      this.busy = false;
      this.block = undefined;
      this.host = undefined;
      this.callers.length = 0;
    }
  }

  /** After a top-level message: EIP-6780's deletions, then EIP-161's cleanup of touched empty accounts. */
  private afterMessage(evm: EVM, result: EVMResult): void {
    // EIP-6780: an account destroyed in the transaction that created it is removed.
    const created = result.execResult.createdAddresses ?? new Set<string>();
    for (const destroyed of result.execResult.selfdestruct?.keys() ?? []) {
      if (!created.has(destroyed)) continue;
      const address = this.address(destroyed as Address);
      this.state.deleteAccount(address);
      this.state.clearStorage(address);
    }
    this.realm.runSync(() => evm.journal.cleanup(), undefined);
  }

  /** EIP-2929's addresses warm from the start: the precompiles, and `addresses`. */
  private warmUp(evm: EVM, addresses: Array<Address | undefined>): void {
    const journal = evm.journal;
    for (const precompile of evm.precompiles.keys()) journal.addAlwaysWarmAddress(precompile);
    for (const address of addresses) if (address !== undefined) journal.addAlwaysWarmAddress(address);
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
    return this.exclusive(view, block, message.fields.gasLimit, host, (evm, stepGas) => {
      const state = this.state;
      state.setBalance(message.from, state.balanceOf(message.from) - message.prepay);
      const to = message.fields.to;
      this.warmUp(evm, [message.from, to, block.coinbase]);
      for (const entry of message.fields.accessList) {
        evm.journal.addAlwaysWarmAddress(entry.address);
        for (const slot of entry.slots)
          evm.journal.addAlwaysWarmSlot(entry.address, Buffer.from(slot).toString("hex"));
      }
      const journal = evm.journal as unknown as {
        startReportingAccessList(): void;
        accessList?: Map<string, Set<string>>;
      };
      if (message.reportAccessList !== undefined) journal.startReportingAccessList();
      const result = this.realm.runSync((opts) => evm.runCall(opts), {
        block: { header: this.header(block) } as never,
        caller: this.address(message.from),
        origin: this.address(message.from),
        ...(to === undefined ? {} : { to: this.address(to) }),
        value: message.fields.value,
        data: message.fields.data,
        gasLimit: message.gas,
        gasPrice: message.gasPrice,
      });
      // Read before `afterMessage`: the journal's cleanup forgets the list.
      if (message.reportAccessList !== undefined) message.reportAccessList(journal.accessList ?? new Map());
      this.afterMessage(evm, result);
      state.setBalance(message.from, state.balanceOf(message.from) + settle(result, stepGas()));
      return result;
    });
  }

  /**
   * Runs a message WASM code started (`evm_call`) over `view`: from `call.caller` (no
   * nonce: the message is not a transaction's first, depth ≥ 1), its target warm as a
   * transaction's recipient is, its steps capped as a transaction's of gas limit
   * `call.gas`. A failed message has reverted its own writes.
   */
  runCall(view: StateView, block: EvmBlock, call: EvmCall, host?: HostCall): EvmOutcome {
    return this.exclusive(view, block, call.gas, host, (evm) => {
      this.warmUp(evm, [call.caller, call.to]);
      const result = this.realm.runSync((opts) => evm.runCall(opts), {
        block: { header: this.header(block) } as never,
        caller: this.address(call.caller),
        origin: this.address(call.origin),
        to: this.address(call.to),
        value: call.value,
        data: call.data,
        gasLimit: call.gas,
        gasPrice: call.gasPrice,
        depth: call.depth,
      });
      this.afterMessage(evm, result);
      return result;
    });
  }
}

/** This thread's runners, the first made on first use, each next one when all before it are running. */
const threadRunners: EvmRunner[] = [];

/** This thread's runner, made on first use. */
export function evmRunnerForThread(): EvmRunner {
  let runner = threadRunners[0];
  if (runner === undefined) {
    runner = new EvmRunner();
    threadRunners.push(runner);
  }
  return runner;
}

/**
 * A runner of this thread that is running no message (the first one, unless EVM code is
 * running and has called into WASM, which calls EVM code again), made when needed;
 * undefined when `MAX_EVM_NESTING` are running.
 */
export function idleEvmRunner(): EvmRunner | undefined {
  for (const runner of threadRunners) if (!runner.running) return runner;
  if (threadRunners.length >= MAX_EVM_NESTING) return undefined;
  const runner = threadRunners.length === 0 ? evmRunnerForThread() : new EvmRunner();
  if (!threadRunners.includes(runner)) threadRunners.push(runner);
  return runner;
}
