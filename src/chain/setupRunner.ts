/**
 * Building a state by running setup transactions (genesis, benchmark pre-states): plain
 * `from` transactions run sequentially over an in-memory store, each block committed, any
 * failure stopping with the transaction's decoded error. Only for states built before a
 * chain runs: the node admits envelopes from smart accounts, never these.
 */
import type { Address } from "../codec/address.js";
import { keccak256 } from "../codec/hash.js";
import { encodeCall } from "../codec/metadata.js";
import { executeSequential } from "../engine/sequential.js";
import { codeKey } from "../state/keys.js";
import { createMemoryStore } from "../state/memoryStore.js";
import type { Storage, WriteSet } from "../state/storage.js";
import { type ContractArtifact, loadArtifact } from "./artifacts.js";
import type { BlockContext } from "./blockContext.js";
import { createChainExecutor } from "./executeTransaction.js";
import { genesisWrites } from "./genesis.js";
import type { Receipt } from "./receipt.js";
import type { Transaction } from "./transaction.js";

const SETUP_GAS = 100_000_000;

export class SetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SetupError";
  }
}

export class SetupRunner {
  readonly store: Storage = createMemoryStore();
  /** Every write made, merged: the state built, as one write set. */
  readonly writes: WriteSet = new Map();
  private readonly executor;
  private readonly artifacts = new Map<string, ContractArtifact>();
  private salt = 0;

  constructor(block: BlockContext, balances: ReadonlyArray<readonly [Address, bigint]>) {
    this.executor = createChainExecutor(block);
    this.commit(genesisWrites({ balances }));
  }

  private commit(writes: WriteSet): void {
    this.store.commit(writes);
    for (const [k, v] of writes) this.writes.set(k, v);
  }

  artifact(name: string): ContractArtifact {
    let a = this.artifacts.get(name);
    if (a === undefined) {
      a = loadArtifact(name);
      this.artifacts.set(name, a);
    }
    return a;
  }

  /** Stores contract `name`'s code (content-addressed) so that contracts can create instances of it by code hash. */
  storeCode(name: string): Uint8Array {
    const a = this.artifact(name);
    const hash = keccak256(a.code);
    this.commit(new Map([[codeKey(hash), a.code]]));
    return hash;
  }

  /** Runs `txs` in one block; throws `SetupError` naming the first that did not succeed. */
  run(txs: Transaction[]): Receipt[] {
    const result = executeSequential(this.executor, this.store, txs);
    const failed = result.receipts.findIndex((r) => r.status !== "success");
    if (failed >= 0) {
      const r = result.receipts[failed] as Receipt;
      throw new SetupError(`setup transaction ${failed} failed: ${r.status} ${r.invalidReason ?? ""}`);
    }
    this.commit(result.writeSet);
    return result.receipts;
  }

  /** Deploys `name` with constructor `args` from `from`; returns its address. */
  deploy(name: string, args: unknown[], from: Address, value = 0n): Address {
    const a = this.artifact(name);
    const salt = new Uint8Array(32);
    new DataView(salt.buffer).setUint32(0, ++this.salt);
    const ctor = a.metadata.constructor;
    const [receipt] = this.run([
      {
        kind: "deploy",
        from,
        code: a.code,
        args:
          ctor === null ? new Uint8Array(0) : encodeCall({ ...a.metadata, methods: [ctor] }, "init", args),
        salt,
        value,
        gasLimit: SETUP_GAS,
        gasPrice: 0n,
      },
    ]);
    if (receipt?.contractAddress === undefined) throw new SetupError(`deploying ${name} returned no address`);
    return receipt.contractAddress;
  }

  /** A call of `method` on contract `name` at `to`. */
  tx(name: string, to: Address, from: Address, method: string, args: unknown[], value = 0n): Transaction {
    return {
      kind: "call",
      from,
      to,
      method,
      args: encodeCall(this.artifact(name).metadata, method, args),
      value,
      gasLimit: SETUP_GAS,
      gasPrice: 0n,
    };
  }
}
