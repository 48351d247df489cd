/**
 * Benchmark workloads over the real chain executor: each builds a pre-state and a block
 * of transactions, deterministically from a seed. The engine benchmark and the
 * sequential benchmark share them.
 */

import { loadArtifact } from "../src/chain/artifacts.js";
import type { BlockContext } from "../src/chain/blockContext.js";
import { createChainExecutor } from "../src/chain/executeTransaction.js";
import { genesisWrites } from "../src/chain/genesis.js";
import type { Transaction } from "../src/chain/transaction.js";
import { encodeAbi } from "../src/codec/abi.js";
import type { Address } from "../src/codec/address.js";
import { executeSequential } from "../src/engine/sequential.js";
import { createMemoryStore } from "../src/state/memoryStore.js";
import type { Storage } from "../src/state/storage.js";
import { createRng } from "./lib/report.js";

export function benchAccount(n: number): Address {
  return `0x${(0xb000000 + n).toString(16).padStart(40, "0")}`;
}

export const BENCH_BLOCK: BlockContext = {
  height: 1n,
  time: 1_700_000_000n,
  chainId: 1337n,
  feeRecipient: `0x${"fe".repeat(20)}`,
};

export interface Workload {
  name: string;
  accounts: number;
  pre: Storage;
  txs: Transaction[];
}

/** Distinct random (from, to) pairs over `accounts` accounts. */
function pairs(accounts: number, count: number, seed: number): Array<[number, number]> {
  const rng = createRng(seed);
  const out: Array<[number, number]> = [];
  for (let i = 0; i < count; i++) {
    const from = Math.floor(rng() * accounts);
    let to = Math.floor(rng() * (accounts - 1));
    if (to >= from) to++;
    out.push([from, to]);
  }
  return out;
}

/** p2p native coin transfers (the Block-STM paper's plain workload). */
export function nativeTransfers(accounts: number, blockSize: number, seed = 1): Workload {
  const pre = createMemoryStore();
  const balances: Array<[Address, bigint]> = [];
  for (let i = 0; i < accounts; i++) balances.push([benchAccount(i), 10n ** 24n]);
  pre.commit(genesisWrites({ balances }));
  const txs: Transaction[] = pairs(accounts, blockSize, seed).map(([from, to]) => ({
    kind: "transfer",
    from: benchAccount(from),
    to: benchAccount(to),
    amount: 1n,
    gasLimit: 21_000,
    gasPrice: 1n,
  }));
  return { name: "native-transfer", accounts, pre, txs };
}

/** ERC-20 token transfers between holders, through the WASM token contract. */
export function tokenTransfers(accounts: number, blockSize: number, seed = 1): Workload {
  const pre = createMemoryStore();
  const deployer = benchAccount(accounts);
  const balances: Array<[Address, bigint]> = [[deployer, 10n ** 24n]];
  for (let i = 0; i < accounts; i++) balances.push([benchAccount(i), 10n ** 24n]);
  pre.commit(genesisWrites({ balances }));

  // Deploy the token and give every holder a balance, in setup blocks.
  const token = loadArtifact("token");
  const executor = createChainExecutor(BENCH_BLOCK);
  const deploy = executeSequential(executor, pre, [
    {
      kind: "deploy",
      from: deployer,
      code: token.code,
      args: encodeAbi(
        ["string", "string", "u8", "u128", "address"],
        ["Bench", "BNC", 18, 10n ** 30n, deployer],
      ),
      value: 0n,
      gasLimit: 50_000_000,
      gasPrice: 0n,
    },
  ]);
  const address = deploy.receipts[0]?.contractAddress;
  if (address === undefined) throw new Error(`token deployment failed: ${deploy.receipts[0]?.status}`);
  pre.commit(deploy.writeSet);
  for (let start = 0; start < accounts; start += 5_000) {
    const funding: Transaction[] = [];
    for (let i = start; i < Math.min(accounts, start + 5_000); i++) {
      funding.push(tokenTransfer(deployer, address, benchAccount(i), 10n ** 20n));
    }
    const result = executeSequential(executor, pre, funding);
    if (result.receipts.some((r) => r.status !== "success")) throw new Error("token funding failed");
    pre.commit(result.writeSet);
  }
  const txs = pairs(accounts, blockSize, seed).map(([from, to]) =>
    tokenTransfer(benchAccount(from), address, benchAccount(to), 1n),
  );
  return { name: "token-transfer", accounts, pre, txs };
}

function tokenTransfer(from: Address, token: Address, to: Address, amount: bigint): Transaction {
  return {
    kind: "call",
    from,
    to: token,
    method: "transfer",
    args: encodeAbi(["address", "u128"], [to, amount]),
    value: 0n,
    gasLimit: 1_000_000,
    gasPrice: 1n,
  };
}
