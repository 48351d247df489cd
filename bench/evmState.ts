/**
 * What Weft's EVM integration costs on top of `@ethereumjs/evm`, and EVM token transfers
 * in Weft's engines. The same hand-assembled token (`bench/evm/token.ts`) and the same
 * transfers (random distinct holders, seed 1) in every row, rounds interleaved:
 *
 * - `ethereumjs runCall`: `@ethereumjs/evm` as published, awaited in the host realm,
 *   over its in-memory `SimpleStateManager`: the baseline for one message.
 * - `weft runMessage`: the same EVM in Weft's realm (`src/evm/realm.ts`), run
 *   synchronously over Weft's state manager (`src/evm/stateManager.ts`) and a Map view,
 *   with the warm set and the cleanup a transaction needs. The difference to the row
 *   above is the state manager's and the realm's overhead.
 * - `weft sequential` / `weft parallel-2`: whole blocks of signed EIP-1559 transfers
 *   (senders recovered before timing) through the chain executor (nonce, fees, intrinsic
 *   gas, receipts) on the sequential executor and on the parallel engine with 2 workers.
 *
 *   node dist/bench/evmState.js [--holders 200] [--txs 1000] [--rounds 5] [--only plain|weft]
 *
 * `--only` runs one of the first two rows alone (for a CPU profile of it).
 *
 * Prints µs per transfer (median of the rounds, after a warm-up round); writes bench/results/evm-state.json.
 */
import { Common, Mainnet } from "@ethereumjs/common";
import { createEVM } from "@ethereumjs/evm";
import { SimpleStateManager } from "@ethereumjs/statemanager";
import { Account, Address as EthAddress } from "@ethereumjs/util";
import type { BlockContext } from "../src/chain/blockContext.js";
import { evmBlockOf } from "../src/chain/evmBlock.js";
import { createChainExecutor } from "../src/chain/executeTransaction.js";
import { chainExecutorModule } from "../src/chain/executorModule.js";
import type { Receipt } from "../src/chain/receipt.js";
import type { Transaction } from "../src/chain/transaction.js";
import { type Address, addressFromBytes, addressToBytes } from "../src/codec/address.js";
import { encodeU128 } from "../src/engine/deltas.js";
import { createParallelEngine } from "../src/engine/parallel/index.js";
import { executeSequential } from "../src/engine/sequential.js";
import { type EthTx, EVM_HARDFORK, parseEthTx } from "../src/evm/ethTx.js";
import { EvmRunner } from "../src/evm/evmRunner.js";
import type { StateKey, StateValue } from "../src/state/keys.js";
import { balanceKey } from "../src/state/keys.js";
import { createMemoryStore } from "../src/state/memoryStore.js";
import { ethAccount, signEthTxRaw } from "../test/helpers/ethAccounts.js";
import { tokenDeployData, transferData } from "./evm/token.js";
import { benchArgs } from "./lib/args.js";
import { createRng, machineInfo, median, printTable, writeJson } from "./lib/report.js";

const args = benchArgs(
  "node dist/bench/evmState.js [--holders 200] [--txs 1000] [--rounds 5] [--only plain|weft]",
  {
    options: {
      holders: { type: "string", default: "200" },
      txs: { type: "string", default: "1000" },
      rounds: { type: "string", default: "5" },
      only: { type: "string", default: "" },
    },
  },
);
const HOLDERS = Number(args.holders);
const TXS = Number(args.txs);
const ROUNDS = Number(args.rounds);
const CHAIN_ID = 1337n;
const SUPPLY = 10n ** 30n;
const block: BlockContext = {
  height: 1n,
  time: 1_700_000_000n,
  chainId: CHAIN_ID,
  feeRecipient: addressFromBytes(new Uint8Array(20).fill(0xfe)),
};

const holders = Array.from({ length: HOLDERS }, (_, i) => ethAccount(i));
const rng = createRng(1);
const pairs: Array<[number, number]> = [];
for (let i = 0; i < TXS; i++) {
  const a = Math.floor(rng() * HOLDERS);
  let b = Math.floor(rng() * (HOLDERS - 1));
  if (b >= a) b++;
  pairs.push([a, b]);
}

// --- Weft's state after deployment and hand-out (through the chain executor) ----------------
const entries = new Map<StateKey, StateValue>();
for (const h of holders) entries.set(balanceKey(h.address), encodeU128(10n ** 24n));
const view = { read: (k: StateKey) => entries.get(k) };
const apply = (writes: Map<StateKey, StateValue | null>) => {
  for (const [k, v] of writes) v === null ? entries.delete(k) : entries.set(k, v);
};
const nonces = new Map<Address, bigint>();
const chainTx = (
  from: (typeof holders)[number],
  to: Address | undefined,
  data: Uint8Array,
  gasLimit = 200_000n,
): EthTx => {
  const nonce = nonces.get(from.address) ?? 0n;
  nonces.set(from.address, nonce + 1n);
  const raw = signEthTxRaw(from, { nonce, to, data, gasLimit, maxFee: 1n }, CHAIN_ID);
  return { kind: "eth", raw, from: from.address, fields: parseEthTx(raw).fields };
};
const executor = createChainExecutor(block);
const setupRun = (txs: Transaction[]) => {
  const result = executeSequential(executor, { get: (k) => entries.get(k) }, txs);
  apply(result.writeSet);
  return result.receipts;
};
const [deployed] = setupRun([
  chainTx(holders[0] as (typeof holders)[number], undefined, tokenDeployData(SUPPLY), 1_000_000n),
]);
const token = deployed?.contractAddress as Address;
setupRun(
  holders
    .slice(1)
    .map((h) => chainTx(holders[0] as (typeof holders)[number], token, transferData(h.address, 10n ** 20n))),
);
const preState = new Map(entries);

// --- plain ethereumjs over SimpleStateManager --------------------------------------------------
async function plainEvm() {
  const common = new Common({ chain: Mainnet, hardfork: EVM_HARDFORK });
  const sm = new SimpleStateManager();
  const evm = await createEVM({ common, stateManager: sm });
  const tokenAddress = new EthAddress(addressToBytes(token));
  const caller = (i: number) =>
    new EthAddress(addressToBytes((holders[i] as (typeof holders)[number]).address));
  for (let i = 0; i < HOLDERS; i++) await sm.putAccount(caller(i), new Account(0n, 10n ** 24n));
  // Deploy and hand out the same way.
  const created = await evm.runCall({
    caller: caller(0),
    data: tokenDeployData(SUPPLY),
    gasLimit: 1_000_000n,
  });
  if (created.createdAddress?.toString() !== token) throw new Error("plain deployment went elsewhere");
  for (let i = 1; i < HOLDERS; i++)
    await evm.runCall({
      caller: caller(0),
      to: tokenAddress,
      data: transferData((holders[i] as (typeof holders)[number]).address, 10n ** 20n),
      gasLimit: 200_000n,
    });
  return { evm, tokenAddress, caller };
}

const plain = await plainEvm();
const runner = new EvmRunner();
const messages = pairs.map(([a, b]) => ({
  from: (holders[a] as (typeof holders)[number]).address,
  data: transferData((holders[b] as (typeof holders)[number]).address, 1n),
}));
const blockTxs: Transaction[] = pairs.map(([a, b]) =>
  chainTx(
    holders[a] as (typeof holders)[number],
    token,
    transferData((holders[b] as (typeof holders)[number]).address, 1n),
  ),
);
const engine = await createParallelEngine<Transaction, Receipt, BlockContext>({
  workers: 2,
  executor: chainExecutorModule(),
  minParallelTxs: 0,
  speed: false,
  contention: false,
});
const store = await engine.attach(createMemoryStore(preState));

const times: Record<string, number[]> = { plain: [], weft: [], sequential: [], parallel: [] };
// Round 0 warms every path up (the realm's copy of the EVM is compiled apart from the host's) and is not counted.
for (let round = 0; round <= ROUNDS; round++) {
  const keep = round > 0;
  let t = performance.now();
  if (args.only === "" || args.only === "plain")
    for (const m of messages)
      await plain.evm.runCall({
        caller: new EthAddress(addressToBytes(m.from)),
        origin: new EthAddress(addressToBytes(m.from)),
        to: plain.tokenAddress,
        data: m.data,
        gasLimit: 100_000n,
        skipNonceIncrement: false,
      });
  if (keep) times.plain?.push(((performance.now() - t) * 1000) / TXS);

  entries.clear();
  for (const [k, v] of preState) entries.set(k, v);
  t = performance.now();
  if (args.only === "" || args.only === "weft")
    for (const m of messages) {
      const { writes } = runner.runMessage(
        view,
        evmBlockOf({ ...block, chainId: CHAIN_ID, height: 1n, time: 1n }),
        {
          from: m.from,
          fields: {
            type: 2,
            chainId: CHAIN_ID,
            nonce: 0n,
            gasLimit: 100_000n,
            to: token,
            value: 0n,
            data: m.data,
            accessList: [],
            maxFeePerGas: 0n,
            maxPriorityFeePerGas: 0n,
          },
          gas: 100_000n - 21_000n,
          gasPrice: 0n,
          prepay: 0n,
        },
        () => 0n,
      );
      apply(writes);
    }
  if (keep) times.weft?.push(((performance.now() - t) * 1000) / TXS);

  if (args.only !== "") continue;
  t = performance.now();
  const seq = executeSequential(executor, store, blockTxs);
  if (keep) times.sequential?.push(((performance.now() - t) * 1000) / TXS);
  if (!seq.receipts.every((r) => r.status === "success")) throw new Error("a transfer failed");

  t = performance.now();
  const par = await engine.executeBlock(store, blockTxs, block);
  if (keep) times.parallel?.push(((performance.now() - t) * 1000) / TXS);
  if (par.receipts.length !== TXS) throw new Error("parallel block cut");
}
await engine.close();

const rows = [
  ["ethereumjs runCall (SimpleStateManager, awaited)", median(times.plain ?? [])],
  ["weft runMessage (realm + Weft state manager)", median(times.weft ?? [])],
  ["weft sequential (chain executor, full tx rules)", median(times.sequential ?? [])],
  ["weft parallel-2 (chain executor)", median(times.parallel ?? [])],
] as const;
printTable(
  ["path", "µs/transfer (median)", "× ethereumjs runCall"],
  rows.map(([name, us]) => [name, us.toFixed(1), (us / rows[0][1]).toFixed(2)]),
);
writeJson("bench/results/evm-state.json", {
  machine: machineInfo(),
  holders: HOLDERS,
  txs: TXS,
  rounds: ROUNDS,
  times,
});
