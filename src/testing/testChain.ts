/**
 * An in-process chain for contract tests (`@weft-chain/weft/testing`): the chain's own executor and
 * VM over an in-memory state, one block per transaction, no node, no signatures.
 * Prefunded accounts send plain transactions; a test deploys contracts, calls and reads
 * them, expects reverts by error name, moves time and checks decoded events.
 *
 * @example
 * const chain = createTestChain();                  // contracts from ./build
 * const counter = chain.deploy("counter");
 * const r = counter.send("add", [5n]);             // from chain.accounts[0]
 * r.events;                                        // [{ name: "Counted", args: {...} }]
 * chain.expectRevert(() => counter.send("sub", [9n]), "Underflow");
 * chain.increaseTime(3600);
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { ContractArtifact } from "../chain/artifacts.js";
import { evmFromWasm } from "../chain/evmFromWasm.js";
import { createChainExecutor } from "../chain/executeTransaction.js";
import { genesisWrites } from "../chain/genesis.js";
import type { Receipt } from "../chain/receipt.js";
import type { Transaction } from "../chain/transaction.js";
import { type Address, addressFromBytes } from "../codec/address.js";
import { sha256 } from "../codec/hash.js";
import {
  type ContractMetadata,
  decodeEvent,
  decodeReturn,
  decodeRevert,
  encodeCall,
} from "../codec/metadata.js";
import { decodeU128 } from "../engine/deltas.js";
import { executeSequential } from "../engine/sequential.js";
import { balanceKey } from "../state/keys.js";
import { createMemoryStore } from "../state/memoryStore.js";
import type { Storage } from "../state/storage.js";
import { createVm } from "../vm/vm.js";

/** A failed test-chain action: `REVERTED` (with the error's name and arguments), `INVALID`, `NO_ARTIFACT`, `NOT_REVERTED`, `OTHER_ERROR`. */
export class TestChainError extends Error {
  constructor(
    readonly code: "REVERTED" | "INVALID" | "NO_ARTIFACT" | "NOT_REVERTED" | "OTHER_ERROR",
    message: string,
    /** For REVERTED: the revert's error name ("" when it has none) and its decoded arguments. */
    readonly errorName = "",
    readonly errorArgs: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "TestChainError";
  }
}

export interface TestChainOptions {
  /** Where built contracts are (`<name>.wasm` + `<name>.metadata.json`); default `./build`. */
  artifacts?: string;
  /** How many prefunded accounts (default 10), each with `balance` (default 10^30). */
  accounts?: number;
  balance?: bigint;
  /** The first block's time in Unix seconds (default 1_700_000_000); each block adds `blockTime` (default 1). */
  startTime?: bigint;
  blockTime?: bigint;
  chainId?: bigint;
}

export interface SendOptions {
  /** Who sends (default the first account). */
  from?: Address;
  /** Native coin sent along. */
  value?: bigint;
}

/** An event of a transaction, decoded with the metadata of the contract that emitted it. */
export interface TestEvent {
  /** The emitting contract's address and name ("" when its metadata is unknown). */
  address: Address;
  contract: string;
  /** The event's name ("" when it could not be decoded) and arguments by name. */
  name: string;
  args: Record<string, unknown>;
}

export interface TxResult {
  /** The method's decoded return value (a deployment: the new address). */
  value: unknown;
  gasUsed: number;
  events: TestEvent[];
  blockNumber: bigint;
}

const DEFAULT_GAS = 100_000_000;
/** Collects fees (gas price is 0 in tests, so nothing). */
const FEE_RECIPIENT: Address = "0x00000000000000000000000000000000000000fe";

/** A deployed contract bound to its metadata. */
export class TestContract {
  constructor(
    private readonly chain: TestChain,
    readonly name: string,
    readonly address: Address,
    readonly metadata: ContractMetadata,
  ) {}

  /** Calls `method` without keeping its effects (a read); returns its decoded value. */
  read(method: string, args: readonly unknown[] = [], options: SendOptions = {}): unknown {
    const receipt = this.chain.simulate(this.callTx(method, args, options));
    return decodeReturn(this.metadata, method, receipt.output);
  }

  /** Sends `method` as a transaction in a new block; throws `TestChainError` REVERTED when it reverts. */
  send(method: string, args: readonly unknown[] = [], options: SendOptions = {}): TxResult {
    const { receipt, blockNumber } = this.chain.execute(this.callTx(method, args, options), this.metadata);
    return {
      value: decodeReturn(this.metadata, method, receipt.output),
      gasUsed: receipt.gasUsed,
      events: this.chain.decodeEvents(receipt),
      blockNumber,
    };
  }

  private callTx(method: string, args: readonly unknown[], options: SendOptions): Transaction {
    return {
      kind: "call",
      from: options.from ?? this.chain.accounts[0] ?? this.chain.fail("the chain has no accounts"),
      to: this.address,
      method,
      args: encodeCall(this.metadata, method, args),
      value: options.value ?? 0n,
      gasLimit: DEFAULT_GAS,
      gasPrice: 0n,
    };
  }
}

export class TestChain {
  /** The prefunded accounts (plain addresses: test transactions carry no signatures). */
  readonly accounts: Address[];
  private store: Storage;
  private readonly vm = createVm({ evm: evmFromWasm });
  private readonly artifactsDir: string;
  private readonly contracts = new Map<Address, { name: string; metadata: ContractMetadata }>();
  private readonly snapshots: Storage[] = [];
  private nextTime: bigint;
  private readonly blockTime: bigint;
  private readonly chainId: bigint;
  private salt = 0;
  /** The last block's number (0: genesis). */
  height = 0n;

  constructor(options: TestChainOptions = {}) {
    this.artifactsDir = resolve(options.artifacts ?? "build");
    const count = options.accounts ?? 10;
    this.accounts = Array.from({ length: count }, (_, i) =>
      addressFromBytes(sha256(new TextEncoder().encode(`weft test account ${i}`)).subarray(0, 20)),
    );
    this.store = createMemoryStore();
    const balance = options.balance ?? 10n ** 30n;
    this.store.commit(genesisWrites({ balances: this.accounts.map((a) => [a, balance] as const) }));
    this.nextTime = options.startTime ?? 1_700_000_000n;
    this.blockTime = options.blockTime ?? 1n;
    this.chainId = options.chainId ?? 31337n;
  }

  /** The time the next block will have (Unix seconds). */
  get time(): bigint {
    return this.nextTime;
  }

  /** Moves the next block's time `seconds` forward. */
  increaseTime(seconds: number | bigint): void {
    const s = BigInt(seconds);
    if (s < 0n)
      throw new TestChainError("OTHER_ERROR", `increaseTime: ${s} is negative; time only moves forward`);
    this.nextTime += s;
  }

  /** The native coin balance of `address`. */
  balanceOf(address: Address): bigint {
    return decodeU128(this.store.get(balanceKey(address)));
  }

  /** A built contract by name (from the artifacts directory). */
  artifact(name: string): ContractArtifact {
    const wasm = join(this.artifactsDir, `${name}.wasm`);
    if (!existsSync(wasm))
      throw new TestChainError(
        "NO_ARTIFACT",
        `no built contract "${name}" in ${this.artifactsDir}: run weft build`,
      );
    return {
      name,
      code: new Uint8Array(readFileSync(wasm)),
      metadata: JSON.parse(readFileSync(join(this.artifactsDir, `${name}.metadata.json`), "utf8")),
    };
  }

  /** Deploys contract `name` (or an artifact) with its `init` arguments; throws REVERTED if `init` reverts. */
  deploy(
    contract: string | ContractArtifact,
    args: readonly unknown[] = [],
    options: SendOptions = {},
  ): TestContract {
    const a = typeof contract === "string" ? this.artifact(contract) : contract;
    const salt = new Uint8Array(32);
    new DataView(salt.buffer).setUint32(28, ++this.salt);
    const ctor = a.metadata.constructor;
    if (ctor === null && args.length > 0)
      throw new TestChainError("OTHER_ERROR", `${a.name} has no init method; it takes no arguments`);
    const tx: Transaction = {
      kind: "deploy",
      from: options.from ?? this.accounts[0] ?? this.fail("the chain has no accounts"),
      code: a.code,
      args: ctor === null ? new Uint8Array(0) : encodeCall({ ...a.metadata, methods: [ctor] }, "init", args),
      salt,
      value: options.value ?? 0n,
      gasLimit: DEFAULT_GAS,
      gasPrice: 0n,
    };
    const { receipt } = this.execute(tx, a.metadata);
    const address = receipt.contractAddress ?? this.fail(`deploying ${a.name} returned no address`);
    this.contracts.set(address, { name: a.name, metadata: a.metadata });
    return new TestContract(this, a.name, address, a.metadata);
  }

  /** A contract already deployed at `address` (e.g. created by another contract), by its built name. */
  at(name: string, address: Address): TestContract {
    const { metadata } = this.artifact(name);
    this.contracts.set(address, { name, metadata });
    return new TestContract(this, name, address, metadata);
  }

  /** Sends native coin. */
  transfer(to: Address, amount: bigint, options: SendOptions = {}): TxResult {
    const from = options.from ?? this.accounts[0] ?? this.fail("the chain has no accounts");
    const tx: Transaction = { kind: "transfer", from, to, amount, gasLimit: DEFAULT_GAS, gasPrice: 0n };
    const { receipt, blockNumber } = this.execute(tx, undefined);
    return { value: undefined, gasUsed: receipt.gasUsed, events: [], blockNumber };
  }

  /**
   * Runs `action`, which must revert with error `errorName` (a contract error from its
   * `errors.ts`, or a standard one such as "Error" for `require`); returns the error's
   * decoded arguments. Throws NOT_REVERTED or OTHER_ERROR otherwise.
   */
  expectRevert(action: () => unknown, errorName: string): Record<string, unknown> {
    try {
      action();
    } catch (error) {
      if (error instanceof TestChainError && error.code === "REVERTED") {
        if (error.errorName === errorName) return error.errorArgs;
        throw new TestChainError(
          "OTHER_ERROR",
          `expected a revert with ${errorName}, got ${error.errorName || "a revert without a name"}: ${error.message}`,
        );
      }
      throw error;
    }
    throw new TestChainError("NOT_REVERTED", `expected a revert with ${errorName}, but it succeeded`);
  }

  /** Saves the whole state (and time); `revert(id)` returns to it. */
  snapshot(): number {
    this.snapshots.push(createMemoryStore(this.store.iterate("")));
    return this.snapshots.length - 1;
  }

  revert(id: number): void {
    const saved = this.snapshots[id];
    if (saved === undefined) throw new TestChainError("OTHER_ERROR", `no snapshot ${id}`);
    this.snapshots.length = id;
    this.store = saved;
  }

  /** @internal Runs `tx` in a new block and keeps its effects. */
  execute(
    tx: Transaction,
    metadata: ContractMetadata | undefined,
  ): { receipt: Receipt; blockNumber: bigint } {
    const height = this.height + 1n;
    const result = this.run(tx, height);
    const receipt = result.receipts[0] as Receipt;
    this.check(receipt, metadata);
    this.store.commit(result.writeSet);
    this.height = height;
    this.nextTime += this.blockTime;
    return { receipt, blockNumber: height };
  }

  /** @internal Runs `tx` on top of the state without keeping anything. */
  simulate(tx: Transaction): Receipt {
    const receipt = this.run(tx, this.height + 1n).receipts[0] as Receipt;
    this.check(receipt, tx.kind === "call" ? this.contracts.get(tx.to)?.metadata : undefined);
    return receipt;
  }

  /** @internal */
  decodeEvents(receipt: Receipt): TestEvent[] {
    return receipt.events.map((e) => {
      const known = this.contracts.get(e.address);
      const decoded = known === undefined ? null : decodeEvent(known.metadata, e);
      return {
        address: e.address,
        contract: known?.name ?? "",
        name: decoded?.name ?? "",
        args: decoded?.args ?? { topics: e.topics, data: e.data },
      };
    });
  }

  /** @internal */
  fail(message: string): never {
    throw new TestChainError("OTHER_ERROR", message);
  }

  private run(tx: Transaction, height: bigint) {
    const executor = createChainExecutor(
      { height, time: this.nextTime, chainId: this.chainId, feeRecipient: FEE_RECIPIENT },
      { vm: this.vm },
    );
    return executeSequential(executor, this.store, [tx]);
  }

  private check(receipt: Receipt, metadata: ContractMetadata | undefined): void {
    if (receipt.status === "invalid")
      throw new TestChainError(
        "INVALID",
        `transaction invalid: ${receipt.invalidReason ?? "unknown reason"}`,
      );
    if (receipt.status === "success") return;
    const meta = metadata ?? {
      name: "",
      abiVersion: 1,
      constructor: null,
      methods: [],
      events: [],
      errors: [],
    };
    const { name, args } =
      receipt.status === "outOfGas" ? { name: "OutOfGas", args: {} } : decodeRevert(meta, receipt.output);
    const shown = Object.entries(args)
      .map(([k, v]) => `${k}: ${typeof v === "bigint" ? v.toString() : JSON.stringify(v)}`)
      .join(", ");
    throw new TestChainError("REVERTED", `reverted with ${name || "no error name"}(${shown})`, name, args);
  }
}

/** A fresh in-process chain (see the module comment). */
export function createTestChain(options: TestChainOptions = {}): TestChain {
  return new TestChain(options);
}
