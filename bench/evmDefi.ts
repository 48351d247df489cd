/**
 * EVM DeFi on Weft against its WASM versions: ERC-20 transfers (Uniswap's own test
 * ERC-20, compiled Solidity) and Uniswap V2 swaps (the published v2-core/v2-periphery
 * bytecode, `test/helpers/uniswapV2.ts`) as signed Ethereum transactions, each block run
 * by plain `@ethereumjs/evm` (`runCall` over its `SimpleStateManager`, the same messages,
 * no fees or nonce checks), by Weft's sequential executor and by the parallel engine with 2
 * workers; beside them Weft's WASM token transfers and AMM swaps (`bench/workloads.ts`,
 * `bench/defiWorkloads.ts`) on the same two executors. pevm's published speedups (ERC-20
 * 4.05×, Uniswap 22× at 32 vCPU) are printed as anchors, not measured here.
 *
 *   node dist/bench/evmDefi.js [--txs 200] [--pools 10] [--holders 500] [--rounds 3]
 *
 * Swaps spread over `--pools` pairs (each trader trades on one pair), as pevm's Uniswap
 * block spreads over independent pairs. µs per transaction is the median over `--rounds`
 * rounds after one warm-up; every round runs the same block over the same pre-state.
 * Prints a table, writes bench/results/evm-defi.json and evm-defi.svg.
 */
import { createRequire } from "node:module";
import type { BlockContext } from "../src/chain/blockContext.js";
import { evmBaseFee } from "../src/chain/evmBlock.js";
import { createChainExecutor } from "../src/chain/executeTransaction.js";
import { chainExecutorModule } from "../src/chain/executorModule.js";
import type { Receipt } from "../src/chain/receipt.js";
import type { Transaction } from "../src/chain/transaction.js";
import { type Address, addressToBytes } from "../src/codec/address.js";
import { fromHex } from "../src/codec/bytes.js";
import { decodeU128 } from "../src/engine/deltas.js";
import { createParallelEngine } from "../src/engine/parallel/index.js";
import { executeSequential } from "../src/engine/sequential.js";
import type { StateKey, StateValue } from "../src/state/keys.js";
import { createMemoryStore } from "../src/state/memoryStore.js";
import { fundedState, type MapState } from "../test/helpers/chain.js";
import { type EthAccount, type EthTxRequest, ethAccount, signEthTx } from "../test/helpers/ethAccounts.js";
import { call, MAX_UINT, pairFor, UNISWAP } from "../test/helpers/uniswapV2.js";
import { ammSwaps } from "./defiWorkloads.js";
import { benchArgs } from "./lib/args.js";
import { barChartSvg, writeSvg } from "./lib/plot.js";
import { createRng, machineInfo, median, printTable, writeJson } from "./lib/report.js";
import { tokenTransfers, type Workload } from "./workloads.js";

const args = benchArgs("node dist/bench/evmDefi.js [--txs 200] [--pools 10] [--holders 500] [--rounds 3]", {
  options: {
    txs: { type: "string", default: "200" },
    pools: { type: "string", default: "10" },
    holders: { type: "string", default: "500" },
    rounds: { type: "string", default: "3" },
  },
});
const TXS = Number(args.txs);
const POOLS = Number(args.pools);
const HOLDERS = Number(args.holders);
const ROUNDS = Number(args.rounds);
const COIN = 10n ** 18n;
const DEADLINE = 4_000_000_000n;
const PEVM = { erc20: 4.05, uniswap: 22 };

const block: BlockContext = {
  height: 10n,
  time: 1_700_000_000n,
  chainId: 1337n,
  feeRecipient: `0x${"fe".repeat(20)}`,
  baseFee: 1n,
};
const fee = evmBaseFee(1n) + 1n;

/** An EVM workload: its pre-state entries and its block. */
interface EvmWorkload {
  name: string;
  entries: Map<StateKey, StateValue>;
  txs: Transaction[];
}

class EvmSetup {
  readonly state: MapState;
  private readonly nonces = new Map<Address, bigint>();
  private readonly executor = createChainExecutor(block);

  constructor(accounts: EthAccount[]) {
    this.state = fundedState(accounts.map((a) => [a.address, 10n ** 24n]));
  }

  tx(from: EthAccount, request: Omit<EthTxRequest, "nonce">): Transaction {
    const nonce = this.nonces.get(from.address) ?? 0n;
    this.nonces.set(from.address, nonce + 1n);
    return signEthTx(from, { maxFee: fee, gasLimit: 400_000n, ...request, nonce }, block.chainId);
  }

  run(txs: Transaction[]): Receipt[] {
    const result = executeSequential(this.executor, this.state, txs);
    this.state.apply(result.writeSet);
    for (const r of result.receipts)
      if (r.status !== "success") throw new Error(`setup: ${r.status} ${r.invalidReason ?? ""}`);
    return result.receipts;
  }
}

function erc20Workload(): EvmWorkload {
  const deployer = ethAccount(9000);
  const holders = Array.from({ length: HOLDERS }, (_, i) => ethAccount(9001 + i));
  const s = new EvmSetup([deployer, ...holders]);
  const [token] = s.run([s.tx(deployer, { data: UNISWAP.erc20(10n ** 30n), gasLimit: 2_000_000n })]);
  const address = token?.contractAddress as Address;
  s.run(holders.map((h) => s.tx(deployer, { to: address, data: call.transfer(h.address, 10n ** 24n) })));
  const rng = createRng(1);
  const txs = Array.from({ length: TXS }, () => {
    const from = holders[Math.floor(rng() * HOLDERS)] as EthAccount;
    const to = holders[Math.floor(rng() * HOLDERS)] as EthAccount;
    return s.tx(from, { to: address, data: call.transfer(to.address, 1n), gasLimit: 100_000n });
  });
  return { name: "ERC-20 transfers", entries: s.state.entries, txs };
}

function uniswapWorkload(): EvmWorkload {
  const deployer = ethAccount(8000);
  const traders = Array.from({ length: TXS }, (_, i) => ethAccount(8001 + i));
  const s = new EvmSetup([deployer, ...traders]);
  const [weth, factory] = s
    .run([
      s.tx(deployer, { data: UNISWAP.weth(), gasLimit: 2_000_000n }),
      s.tx(deployer, { data: UNISWAP.factory(deployer.address), gasLimit: 5_000_000n }),
    ])
    .map((r) => r.contractAddress as Address) as [Address, Address];
  const [router] = s.run([s.tx(deployer, { data: UNISWAP.router(factory, weth), gasLimit: 5_900_000n })]);
  const routerAt = router?.contractAddress as Address;
  const tokens = s
    .run(
      Array.from({ length: 2 * POOLS }, () =>
        s.tx(deployer, { data: UNISWAP.erc20(10n ** 30n), gasLimit: 2_000_000n }),
      ),
    )
    .map((r) => r.contractAddress as Address);
  s.run(tokens.map((t) => s.tx(deployer, { to: t, data: call.approve(routerAt, MAX_UINT) })));
  s.run(
    Array.from({ length: POOLS }, (_, p) =>
      s.tx(deployer, {
        to: routerAt,
        data: call.addLiquidity(
          tokens[2 * p] as Address,
          tokens[2 * p + 1] as Address,
          10n ** 24n,
          10n ** 24n,
          deployer.address,
          DEADLINE,
        ),
        gasLimit: 3_500_000n,
      }),
    ),
  );
  const poolOf = (i: number) => [tokens[2 * (i % POOLS)], tokens[2 * (i % POOLS) + 1]] as [Address, Address];
  s.run(
    traders.flatMap((t, i) =>
      poolOf(i).map((token) => s.tx(deployer, { to: token, data: call.transfer(t.address, 1_000n * COIN) })),
    ),
  );
  s.run(
    traders.flatMap((t, i) =>
      poolOf(i).map((token) => s.tx(t, { to: token, data: call.approve(routerAt, MAX_UINT) })),
    ),
  );
  const txs = traders.map((t, i) => {
    const [a, b] = poolOf(i);
    const path = i % 2 === 0 ? [a, b] : [b, a];
    return s.tx(t, {
      to: routerAt,
      data: call.swapExactTokensForTokens(COIN, 0n, path, t.address, DEADLINE),
      gasLimit: 200_000n,
    });
  });
  if (pairFor(factory, poolOf(0)[0], poolOf(0)[1]) === undefined) throw new Error("no pair");
  return { name: `Uniswap V2 swaps (${POOLS} pairs)`, entries: s.state.entries, txs };
}

const load = createRequire(import.meta.url);
const { createEVM } = load("@ethereumjs/evm") as typeof import("@ethereumjs/evm");
const { SimpleStateManager } = load("@ethereumjs/statemanager") as typeof import("@ethereumjs/statemanager");
const { Common, Mainnet } = load("@ethereumjs/common") as typeof import("@ethereumjs/common");
const util = load("@ethereumjs/util") as typeof import("@ethereumjs/util");

/** µs per transaction of plain @ethereumjs/evm running the block's messages over a copy of the pre-state. */
async function plainEvm(w: EvmWorkload): Promise<number[]> {
  const times: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const sm = new SimpleStateManager();
    const accounts = new Map<string, { balance: bigint; nonce: bigint }>();
    const at = (a: string) =>
      accounts.get(a) ??
      (accounts.set(a, { balance: 0n, nonce: 0n }).get(a) as { balance: bigint; nonce: bigint });
    for (const [key, value] of w.entries) {
      const space = key.slice(0, 2);
      const address = key.slice(2, 42);
      if (space === "01") at(address).balance = decodeU128(value);
      else if (space === "05" && key.endsWith("0000000000000000"))
        at(address).nonce = new DataView(value.buffer, value.byteOffset, 8).getBigUint64(0, true);
    }
    for (const [address, a] of accounts)
      await sm.putAccount(new util.Address(fromHex(address)), util.createAccount(a));
    for (const [key, value] of w.entries) {
      const address = new util.Address(fromHex(key.slice(2, 42)));
      if (key.startsWith("06")) {
        if ((await sm.getAccount(address)) === undefined)
          await sm.putAccount(address, util.createAccount({}));
        await sm.putCode(address, w.entries.get(`07${Buffer.from(value).toString("hex")}`) as Uint8Array);
      } else if (key.startsWith("08")) await sm.putStorage(address, fromHex(key.slice(42)), value);
    }
    const evm = await createEVM({
      common: new Common({ chain: Mainnet, hardfork: "prague" }),
      stateManager: sm,
    });
    const t = performance.now();
    for (const tx of w.txs) {
      if (tx.kind !== "eth") continue;
      const caller = new util.Address(addressToBytes(tx.from));
      await evm.runCall({
        caller,
        origin: caller,
        to: new util.Address(addressToBytes(tx.fields.to as Address)),
        data: tx.fields.data,
        gasLimit: tx.fields.gasLimit,
      });
    }
    if (round > 0) times.push(((performance.now() - t) * 1000) / w.txs.length);
  }
  return times;
}

const engine = await createParallelEngine<Transaction, Receipt, BlockContext>({
  workers: 2,
  executor: chainExecutorModule(),
  minParallelTxs: 0,
  speed: false,
  contention: false,
});

/** µs per transaction: sequential and parallel-2, over the same pre-state each round. */
async function weft(entries: Iterable<[StateKey, StateValue]>, txs: Transaction[], ctx: BlockContext) {
  const pre = [...entries];
  const executor = createChainExecutor(ctx);
  const seq: number[] = [];
  const par: number[] = [];
  const store = await engine.attach(createMemoryStore(pre));
  let failed = 0;
  for (let round = 0; round <= ROUNDS; round++) {
    const fresh = createMemoryStore(pre);
    let t = performance.now();
    const s = executeSequential(executor, fresh, txs);
    if (round > 0) seq.push(((performance.now() - t) * 1000) / txs.length);
    t = performance.now();
    await engine.executeBlock(store, txs, ctx);
    if (round > 0) par.push(((performance.now() - t) * 1000) / txs.length);
    failed = s.receipts.filter((r) => r.status !== "success").length;
  }
  return { seq: median(seq), par: median(par), failed, mode: engine.lastStats?.mode };
}

function storeEntries(w: Workload): Array<[StateKey, StateValue]> {
  return [...w.pre.iterate("")];
}

const rows: Array<Record<string, unknown>> = [];
console.log(
  `EVM DeFi benchmark: ${TXS} transactions a block, ${POOLS} pairs, ${HOLDERS} token holders, median of ${ROUNDS} rounds; load average ${(await import("node:os")).loadavg()[0]?.toFixed(1)}`,
);
for (const w of [erc20Workload(), uniswapWorkload()]) {
  const plain = median(await plainEvm(w));
  const r = await weft(w.entries, w.txs, block);
  rows.push({
    workload: w.name,
    vm: "EVM",
    plainUs: plain,
    seqUs: r.seq,
    par2Us: r.par,
    speedup: r.seq / r.par,
    failed: r.failed,
    mode: r.mode,
  });
}
const wasmToken = tokenTransfers(HOLDERS, TXS);
const wasmSwaps = ammSwaps(POOLS, TXS);
for (const [name, w] of [
  ["token transfers", wasmToken],
  [`AMM swaps (${POOLS} pools)`, wasmSwaps],
] as const) {
  const r = await weft(storeEntries(w), w.txs, { ...block, baseFee: 0n });
  rows.push({
    workload: name,
    vm: "WASM",
    seqUs: r.seq,
    par2Us: r.par,
    speedup: r.seq / r.par,
    failed: r.failed,
    mode: r.mode,
  });
}
await engine.close();

const fmt = (v: unknown) => (typeof v === "number" ? v.toFixed(1) : "-");
printTable(
  [
    "workload",
    "VM",
    "plain ethereumjs µs/tx",
    "weft seq µs/tx",
    "weft parallel-2 µs/tx",
    "seq / parallel-2",
    "failed txs",
  ],
  rows.map((r) => [
    String(r.workload),
    String(r.vm),
    fmt(r.plainUs),
    fmt(r.seqUs),
    fmt(r.par2Us),
    `${(r.speedup as number).toFixed(2)}x`,
    String(r.failed),
  ]),
);
console.log(
  `anchors (pevm, published, 32 vCPU, not measured here): ERC-20 ${PEVM.erc20}x, Uniswap ${PEVM.uniswap}x`,
);
writeJson("bench/results/evm-defi.json", {
  machine: machineInfo(),
  txs: TXS,
  pools: POOLS,
  holders: HOLDERS,
  rounds: ROUNDS,
  rows,
  pevmAnchors: PEVM,
});
writeSvg(
  "bench/results/evm-defi.svg",
  barChartSvg("Sequential / parallel-2 (pevm's 32-vCPU figures as anchors)", "speedup", [
    ...rows.map((r) => ({ label: `${r.vm} ${r.workload}`, value: r.speedup as number })),
    { label: "pevm ERC-20 (32 vCPU)", value: PEVM.erc20 },
    { label: "pevm Uniswap (32 vCPU)", value: PEVM.uniswap },
  ]),
);
console.log("wrote bench/results/evm-defi.svg");
