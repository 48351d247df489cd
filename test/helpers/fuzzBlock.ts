/**
 * One fuzz round (`wasmFuzz.ts`): `PROGRAMS` random contracts deployed on a test chain and a
 * block of `TXS` calls into them, all from one seed. Run directly with a seed, it prints the
 * digest of that block run sequentially: the fuzz test compares it across fresh processes.
 */
import { fileURLToPath } from "node:url";
import type { Transaction } from "../../src/chain/transaction.js";
import type { Address } from "../../src/codec/address.js";
import { account } from "./chain.js";
import { TestChain } from "./contracts.js";
import { digest } from "./mixedBlock.js";
import { fuzzInput, fuzzProgram, fuzzRng } from "./wasmFuzz.js";
import { wat } from "./wat.js";

export const PROGRAMS = 5;
export const TXS = 160;

/** The code of program `p` of the round with `seed`. */
export function fuzzCode(seed: number, p: number): Uint8Array {
  return wat(fuzzProgram(seed * 100 + p));
}

/** A random call of the round: which program, its `run` input (a peer, a depth, a seed) and a gas figure. */
export interface FuzzCall {
  target: number;
  input: Uint8Array;
  gas: number;
  from: number;
}

/** `count` random calls into `contracts`, from `seed`. */
export function fuzzCalls(seed: number, contracts: readonly Address[], count: number): FuzzCall[] {
  const rand = fuzzRng(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const n = contracts.length;
  return Array.from({ length: count }, () => {
    const target = int(n);
    const peer = contracts[(target + 1 + int(n - 1)) % n] as Address;
    const depth = rand() < 0.15 ? int(4000) : int(6);
    const from = int(8);
    const input = fuzzInput(peer, depth, int(1 << 30));
    return { target, input, gas: 500_000 + int(3_000_000), from };
  });
}

/** Deploys the round's programs and builds its block of calls. */
export function fuzzRound(seed: number): { chain: TestChain; txs: Transaction[] } {
  const chain = new TestChain(8);
  const contracts: Address[] = [];
  for (let p = 0; p < PROGRAMS; p++) {
    const receipt = chain.runOne({
      kind: "deploy",
      from: account(1),
      code: fuzzCode(seed, p),
      args: new Uint8Array(0),
      value: 0n,
      gasLimit: 50_000_000,
      gasPrice: 1n,
    });
    if (receipt.contractAddress === undefined) throw new Error(`seed ${seed}: program ${p} did not deploy`);
    contracts.push(receipt.contractAddress);
  }
  const txs: Transaction[] = fuzzCalls(seed, contracts, TXS).map((c) => ({
    kind: "call",
    from: account(1 + c.from),
    to: contracts[c.target] as Address,
    method: "run",
    args: c.input,
    value: 0n,
    gasLimit: c.gas,
    gasPrice: 1n,
  }));
  return { chain, txs };
}

/** The digest of the round's block run sequentially in this process. */
export function fuzzRoundDigest(seed: number): string {
  const { chain, txs } = fuzzRound(seed);
  return digest(chain.run(txs));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(fuzzRoundDigest(Number(process.argv[2])));
