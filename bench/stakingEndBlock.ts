/**
 * The end-of-block staking step's cost by validator-set size: gas and wall time of one
 * `endBlock` call (every validator signed, rewards to all of them) in an ordinary block and
 * at an epoch boundary (the next set computed), for sets of N validators each with one
 * delegation. Prints a table; writes bench/results/stakingEndBlock.json.
 *
 *   node dist/bench/stakingEndBlock.js [--sizes "4;32;128"] [--rounds 5]
 */
import { SetupRunner } from "../src/chain/setupRunner.js";
import { applyEndBlock, FEE_COLLECTOR } from "../src/chain/staking/endBlock.js";
import { readValidatorSet } from "../src/chain/staking/validatorSet.js";
import type { Address } from "../src/codec/address.js";
import { blsKeyFromSeed, blsProofOfPossession } from "../src/codec/bls.js";
import { createVm } from "../src/vm/vm.js";
import { benchArgs } from "./lib/args.js";
import { machineInfo, median, printTable, writeJson } from "./lib/report.js";
import { BENCH_BLOCK, benchAccount } from "./workloads.js";

const args = benchArgs('node dist/bench/stakingEndBlock.js [--sizes "4;32;128"] [--rounds 5]', {
  options: { sizes: { type: "string", default: "4;32;128" }, rounds: { type: "string", default: "5" } },
});
const sizes = String(args.sizes).split(";").map(Number);
const rounds = Number(args.rounds);
const E18 = 10n ** 18n;
const EPOCH = 1_000n;

function network(n: number) {
  const balances: Array<[Address, bigint]> = [];
  for (let i = 0; i <= n; i++) balances.push([benchAccount(i), 10n ** 30n]);
  const block = { ...BENCH_BLOCK, height: 1n, feeRecipient: FEE_COLLECTOR };
  const s = new SetupRunner(block, balances);
  const staking = s.deploy("staking", [86_400n, E18 / 20n, E18 / 100n], benchAccount(0));
  const txs = [];
  for (let i = 1; i <= n; i++) {
    const who = benchAccount(i);
    const key = blsKeyFromSeed(new Uint8Array(32).fill(i));
    const pop = blsProofOfPossession(key, block.chainId, who);
    txs.push(s.tx("staking", staking, who, "register", [500, key.publicKey, pop]));
    txs.push(s.tx("staking", staking, who, "delegate", [who], BigInt(1_000 + i) * E18));
  }
  s.run(txs);
  s.run([
    s.tx("staking", staking, benchAccount(0), "configureNetwork", [Math.min(n, 128), EPOCH, 600n, 100n]),
  ]);
  return { s, staking, block };
}

const vm = createVm();
const rows: Array<Array<string | number>> = [];
const results: Record<string, unknown>[] = [];
for (const n of sizes) {
  const { s, staking, block } = network(n);
  const set = readValidatorSet((k) => s.store.get(k), staking);
  const signers = new Uint8Array(Math.ceil(set.validators.length / 8)).fill(0xff);
  const input = {
    proposer: set.validators[0]?.address as Address,
    evidence: [],
    lastCommit: { height: 1n, signers },
  };
  const config = { staking, blockReward: E18 };
  for (const [kind, height] of [
    ["block", 2n],
    ["epoch boundary", EPOCH],
  ] as const) {
    const ctx = { ...block, height };
    const times: number[] = [];
    let gas = 0;
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      const end = applyEndBlock(vm, ctx, s.store, new Map(), config, input);
      times.push(performance.now() - t0);
      const call = end.calls[0];
      if (call?.status !== "success") throw new Error(`endBlock ${call?.status} with ${n} validators`);
      gas = call.gasUsed;
    }
    rows.push([n, kind, gas.toLocaleString("en"), median(times).toFixed(2)]);
    results.push({ validators: n, kind, gas, medianMs: median(times) });
  }
}
printTable(["validators", "block", "endBlock gas", "median ms"], rows);
writeJson("bench/results/stakingEndBlock.json", { machine: machineInfo(), rounds, results });
