/**
 * A block of calls into the deep-frame contracts (`deepFrames.ts`): every frame shape at
 * depths from shallow to far past the stack budget, alone and at the end of chains of
 * nested contract calls. Run directly, it prints the digest of the block run
 * sequentially: the deep-frame test compares it across fresh processes.
 */
import { fileURLToPath } from "node:url";
import type { Transaction } from "../../src/chain/transaction.js";
import type { Address } from "../../src/codec/address.js";
import { account } from "./chain.js";
import { TestChain } from "./contracts.js";
import { deepFrameContract, deepFrameInput, FRAME_SHAPES, type FrameShape } from "./deepFrames.js";
import { digest } from "./mixedBlock.js";

/** Recursion depths each shape is called with: 1 to far beyond what the budget allows. */
export const DEPTHS = [1, 20, 150, 600, 2_000, 6_000, 1_000_000];

/** Deploys `copies` contracts of `shape` (salts differ by index and by `copies`) and returns their addresses. */
export function deployShape(chain: TestChain, shape: FrameShape, copies = 1): Address[] {
  const code = deepFrameContract(shape);
  const out: Address[] = [];
  for (let i = 0; i < copies; i++) {
    const salt = new Uint8Array(32);
    salt[0] = i;
    salt[1] = copies;
    const receipt = chain.runOne({
      kind: "deploy",
      from: account(1),
      code,
      args: new Uint8Array(0),
      salt,
      value: 0n,
      gasLimit: 50_000_000,
      gasPrice: 1n,
    });
    if (receipt.contractAddress === undefined)
      throw new Error(`deploying ${shape.kind}-${shape.size} failed`);
    out.push(receipt.contractAddress);
  }
  return out;
}

export function runTx(from: Address, chainOf: readonly Address[], depth: number): Transaction {
  const [first, ...rest] = chainOf as [Address, ...Address[]];
  return {
    kind: "call",
    from,
    to: first,
    method: "run",
    args: deepFrameInput(rest, depth),
    value: 0n,
    gasLimit: 200_000_000,
    gasPrice: 1n,
  };
}

/** The chain with every shape deployed, and a block calling each at every depth. */
export function deepFrameBlock(): { chain: TestChain; txs: Transaction[] } {
  const chain = new TestChain(8);
  const txs: Transaction[] = [];
  let n = 0;
  const from = () => account((n++ % 8) + 1);
  for (const shape of FRAME_SHAPES) {
    const [one] = deployShape(chain, shape) as [Address];
    for (const depth of DEPTHS) txs.push(runTx(from(), [one], depth));
  }
  // Nested contract calls: the budget is shared down the chain (each call costs HOST_FRAME_UNITS).
  for (const [shape, copies] of [
    [{ kind: "minimal", size: 0 }, 40],
    [{ kind: "wide", size: 64 }, 8],
    [{ kind: "params", size: 64 }, 12],
  ] as Array<[FrameShape, number]>) {
    const chainOf = deployShape(chain, shape, copies);
    for (const depth of [1, 100, 1_000, 1_000_000]) txs.push(runTx(from(), chainOf, depth));
  }
  return { chain, txs };
}

export function runDeepFrameBlock(): string {
  const { chain, txs } = deepFrameBlock();
  return digest(chain.run(txs));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(runDeepFrameBlock());
