/** Test helpers: a small chain over a Map state that deploys and calls built contracts. */
import { type ContractArtifact, loadArtifact } from "../../src/chain/artifacts.js";
import type { BlockContext } from "../../src/chain/blockContext.js";
import { createChainExecutor } from "../../src/chain/executeTransaction.js";
import type { Receipt } from "../../src/chain/receipt.js";
import type { CallTx, DeployTx, Transaction } from "../../src/chain/transaction.js";
import type { Address } from "../../src/codec/address.js";
import {
  type ContractMetadata,
  decodeEvent,
  decodeReturn,
  decodeRevert,
  encodeCall,
} from "../../src/codec/metadata.js";
import type { BlockResult } from "../../src/engine/types.js";
import type { VmOptions } from "../../src/vm/vm.js";
import { account, blockContext, fundedState, type MapState, runBlock } from "./chain.js";

export const RICH = 10n ** 30n;

export interface CallOptions {
  value?: bigint;
  gasLimit?: number;
  gasPrice?: bigint;
}

export class TestChain {
  readonly state: MapState;
  block: BlockContext;
  executor;
  private readonly vmOptions: VmOptions;

  constructor(accounts = 5, block: Partial<BlockContext> = {}, vmOptions: VmOptions = {}) {
    const funded: Array<[Address, bigint]> = [];
    for (let i = 1; i <= accounts; i++) funded.push([account(i), RICH]);
    this.state = fundedState(funded);
    this.block = blockContext(block);
    this.vmOptions = vmOptions;
    this.executor = createChainExecutor(this.block, vmOptions);
  }

  /** Moves the chain's clock (and block height) forward: later blocks see the new time. */
  advance(seconds: bigint): void {
    this.setBlock({ time: this.block.time + seconds, height: this.block.height + 1n });
  }

  /** Changes the context later blocks run with (e.g. the base fee). */
  setBlock(changes: Partial<BlockContext>): void {
    this.block = { ...this.block, ...changes };
    this.executor = createChainExecutor(this.block, this.vmOptions);
  }

  run(txs: Transaction[]): BlockResult<Receipt> {
    return runBlock(this.executor, this.state, txs);
  }

  runOne(tx: Transaction): Receipt {
    return this.run([tx]).receipts[0] as Receipt;
  }

  deployTx(artifact: ContractArtifact, args: unknown[], from: Address, salt?: Uint8Array): DeployTx {
    const meta = artifact.metadata;
    const argBytes =
      meta.constructor === null
        ? new Uint8Array(0)
        : encodeCall({ ...meta, methods: [meta.constructor] }, "init", args);
    const tx: DeployTx = {
      kind: "deploy",
      from,
      code: artifact.code,
      args: argBytes,
      value: 0n,
      gasLimit: 50_000_000,
      gasPrice: 1n,
    };
    if (salt !== undefined) tx.salt = salt;
    return tx;
  }

  /** Deploys a built contract and returns a handle to call it. */
  deploy(name: string, args: unknown[] = [], from = account(1), salt?: Uint8Array): Contract {
    const artifact = loadArtifact(name);
    const receipt = this.runOne(this.deployTx(artifact, args, from, salt));
    if (receipt.status !== "success" || receipt.contractAddress === undefined) {
      const why =
        receipt.status === "invalid"
          ? receipt.invalidReason
          : decodeRevert(artifact.metadata, receipt.output);
      const text = JSON.stringify(why, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
      throw new Error(`deploying ${name} failed: ${receipt.status} ${text}`);
    }
    return new Contract(this, receipt.contractAddress, artifact.metadata);
  }
}

export class Contract {
  constructor(
    readonly chain: TestChain,
    readonly address: Address,
    readonly meta: ContractMetadata,
  ) {}

  tx(from: Address, method: string, args: unknown[] = [], options: CallOptions = {}): CallTx {
    return {
      kind: "call",
      from,
      to: this.address,
      method,
      args: encodeCall(this.meta, method, args),
      value: options.value ?? 0n,
      gasLimit: options.gasLimit ?? 5_000_000,
      gasPrice: options.gasPrice ?? 1n,
    };
  }

  /** Sends a call in its own block; returns the receipt and the decoded return value. */
  send(from: Address, method: string, args: unknown[] = [], options: CallOptions = {}): Outcome {
    const receipt = this.chain.runOne(this.tx(from, method, args, options));
    return this.outcome(method, receipt);
  }

  /** Reads a view method's result, or throws with the decoded revert. */
  view(method: string, args: unknown[] = []): unknown {
    const out = this.send(account(1), method, args);
    if (out.receipt.status !== "success")
      throw new Error(`${method} ${out.receipt.status}: ${JSON.stringify(out.error)}`);
    return out.value;
  }

  outcome(method: string, receipt: Receipt): Outcome {
    if (receipt.status === "success")
      return { receipt, value: decodeReturn(this.meta, method, receipt.output) };
    if (receipt.status === "invalid") return { receipt };
    return { receipt, error: decodeRevert(this.meta, receipt.output) };
  }

  events(receipt: Receipt): Array<{ name: string; args: Record<string, unknown> }> {
    return receipt.events.map((e) => {
      const decoded = decodeEvent(this.meta, e);
      if (decoded === null) throw new Error(`unknown event with topic ${e.topics[0]}`);
      return decoded;
    });
  }
}

export interface Outcome {
  receipt: Receipt;
  value?: unknown;
  error?: { name: string; args: Record<string, unknown> };
}
