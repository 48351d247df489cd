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

  /** The fork whose rules this runner follows: Weft's (`EVM_HARDFORK`); conformance tests pin the vectors' fork. */
  readonly hardfork: string;

  constructor(realm: EvmRealm = createEvmRealm(), hardfork: string = EVM_HARDFORK) {
    this.realm = realm;
    this.hardfork = hardfork;
    this.state = new WeftStateManager(realm.packages.util);
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
    settle: (result: EVMResult) => bigint,
    host?: HostCall,
  ): EvmOutcome {
    const evm = this.evmFor(block.chainId);
    const state = this.state;
    state.begin(view);
    this.block = block;
    this.host = host;
    this.callers.length = 0;
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
      state.setBalance(message.from, state.balanceOf(message.from) + settle(result));
      return { result, writes: state.finish() };
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
