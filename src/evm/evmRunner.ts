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
import { nativeRecover } from "../codec/secp256k1Native.js";
import type { StateView } from "../engine/types.js";
import type { WriteSet } from "../state/storage.js";
import { EvmStateError } from "./errors.js";
import { commonChainId, type EthTxFields, EVM_HARDFORK } from "./ethTx.js";
import { createEvmRealm, type EvmRealm } from "./realm.js";
import { WeftStateManager } from "./stateManager.js";
import {
  EVM_CODE_BYTE_GAS,
  EVM_HASH_BYTE_GAS,
  EVM_OP_STEP_GAS,
  EVM_PRECOMPILE_GAS,
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
  /**
   * `eth_createAccessList`: told, after the message, every address it touched and every
   * storage slot it read or wrote (EIP-2929's warm set, less what was warm from the start:
   * the sender, the recipient and coinbase unless their slots were read, the precompiles,
   * the access list given), addresses as 40 and slots as 64 hex digits without 0x.
   */
  reportAccessList?: (touched: ReadonlyMap<string, ReadonlySet<string>>) => void;
}

/** What the host precompile (`HOST_PRECOMPILE`) answers a call with. */
export interface HostCallResult {
  /** EVM gas the call used (at most the gas it had). */
  gasUsed: bigint;
  returnValue: Uint8Array;
  /** The call reverted (its writes are not kept); `outOfGas` it ran out. */
  failure?: "revert" | "outOfGas";
  /** Events of the call, as EVM logs (kept with the EVM frame's own). */
  logs?: EvmLog[];
}

/**
 * The host's side of `HOST_PRECOMPILE`: `caller` is the account whose code called it (an
 * EOA, or the EVM contract whose code ran the call opcode: under DELEGATECALL the contract
 * whose context runs, never that contract's own caller), `depth` the depth of the
 * precompile's own frame, `isStatic` whether it runs in a static context (EIP-214: a
 * STATICCALL below it), where the call may change no state, `value` the coin sent with it
 * (0 under DELEGATECALL).
 */
export type HostCall = (
  caller: Address,
  data: Uint8Array,
  gasLimit: bigint,
  depth: number,
  isStatic: boolean,
  value: bigint,
) => HostCallResult;

/** A log as the EVM keeps it: address, topics, data. */
export type EvmLog = [Uint8Array, Uint8Array[], Uint8Array];

/** A message started by WASM code (`evm_call`). */
export interface EvmCall {
  /** The WASM contract calling (msg.sender). */
  caller: Address;
  /** ORIGIN. */
  origin: Address;
  to: Address;
  data: Uint8Array;
  value: bigint;
  /** EVM gas for the message (its step gas is capped at `evmStepGasLimit` of it). */
  gas: bigint;
  /** GASPRICE. */
  gasPrice: bigint;
  /** The message's depth in the call chain (frames of both VMs below it). */
  depth: number;
}

/** Most runners (so EVM messages running at once, one inside another through WASM) per thread. */
export const MAX_EVM_NESTING = 4;

/** The address of the precompile through which EVM code calls into Weft (`chain/wasmFromEvm.ts`). */
export const HOST_PRECOMPILE = "0x0000000000000000000000000000000000000100" as Address;

/**
 * EIP-4844's point evaluation precompile. Weft has no blobs and no KZG setup: ethereumjs,
 * given none, threw a plain `Error` out of the whole message ("kzg not initialized"), so a
 * transaction calling it made its block fail to build (and `eth_call` answer -32603). It
 * fails as a precompile does on bad input instead: all the gas it was given, nothing returned.
 */
export const POINT_EVALUATION_PRECOMPILE = "0x000000000000000000000000000000000000000a" as Address;
/** The reason the point evaluation precompile fails with. */
export const NO_POINT_EVALUATION = "point evaluation (0x0a) is not available: Weft has no blobs";

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

type Recover = (msgHash: Uint8Array, v: bigint, r: Uint8Array, s: Uint8Array, chainId?: bigint) => Uint8Array;

/**
 * The ECRECOVER precompile's recovery (0x01) by libsecp256k1 (`codec/secp256k1Native.ts`):
 * @noble's, which ethereumjs uses, took 1,665 µs of CPU a recovery against 61 µs (load ~25),
 * far past the precompile's price. The precompile calls it only with v 27 or 28 and 32-byte
 * words; it returns the 64-byte public key, or throws when none recovers (as @noble's does:
 * the precompile then returns nothing). Without the addon, or for any other v, @noble's.
 */
function precompileRecover(noble: Recover): Recover {
  return (msgHash, v, r, s, chainId) => {
    if ((v !== 27n && v !== 28n) || r.length !== 32 || s.length !== 32 || msgHash.length !== 32)
      return noble(msgHash, v, r, s, chainId);
    const compact = new Uint8Array(64);
    compact.set(r, 0);
    compact.set(s, 32);
    const key = nativeRecover(compact, Number(v - 27n), msgHash);
    return key === undefined ? noble(msgHash, v, r, s, chainId) : key.subarray(1);
  };
}

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
      this.pricePrecompiles(evm);
      this.evms.set(chainId, evm);
    }
    return evm;
  }

  /**
   * Each precompile of `EVM_PRECOMPILE_GAS` counts `perGas` step gas per EVM gas it uses. It
   * runs with at most the EVM gas whose step gas the message's step budget still holds: past
   * it, it fails as on too little gas (the whole gas it was given; the calling frame goes on),
   * before doing its work, so that its time stays within what the message pays for.
   */
  private pricePrecompiles(evm: EVM): void {
    const precompiles = (evm as unknown as { precompiles: Map<string, Precompile> }).precompiles;
    const wrap =
      this.realm.evaluate<
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
        const room = this.stepGasLimit - this.stepGas;
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
    this.steps = 0;
    this.stepGas = 0;
    this.stepGasLimit = this.weftPricing ? Number(evmStepGasLimit(gasLimit)) : Number.POSITIVE_INFINITY;
    this.busy = true;
    // The step that threw past the limit did nothing: the step gas counts up to the limit.
    const stepGas = () => BigInt(Math.min(this.stepGas, this.stepGasLimit));
    try {
      const result = body(evm, stepGas);
      return { result, writes: state.finish(), steps: BigInt(this.steps), stepGas: stepGas() };
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
