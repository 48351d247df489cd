/**
 * The governor's benchmark workload: `proposals` proposals made at block 0 (voting delay
 * 0, so they are active at the measured block 1) and a block of votes, one per holder
 * (each delegated to itself at block 0), spread over the proposals, in a random order.
 * Deterministic from the seed.
 *
 * A vote writes its voter's receipt and one tally key of its proposal: votes on one
 * proposal conflict there and run in order, votes on different proposals side by side
 * (docs/governance.md).
 */
import { SetupRunner } from "../src/chain/setupRunner.js";
import type { Transaction } from "../src/chain/transaction.js";
import { encodeAbi } from "../src/codec/abi.js";
import type { Address } from "../src/codec/address.js";
import { decodeReturn } from "../src/codec/metadata.js";
import { createRng } from "./lib/report.js";
import { BENCH_BLOCK, benchAccount, type Workload } from "./workloads.js";

/** A block of `blockSize` votes (one per holder) over `proposals` proposals. */
export function governorVotes(blockSize: number, seed = 1, proposals = 10): Workload {
  const owner = benchAccount(0);
  const balances: Array<[Address, bigint]> = [];
  for (let i = 0; i <= blockSize; i++) balances.push([benchAccount(i), 10n ** 30n]);
  const s = new SetupRunner({ ...BENCH_BLOCK, height: BENCH_BLOCK.height - 1n }, balances);
  const token = s.deploy("votesToken", ["Gov", "GOV", 18, 10n ** 30n, owner], owner);
  const code = s.storeCode("timelock");
  const governor = s.deploy(
    "governor",
    ["Bench", token, "0x0000000000000000000000000000000000000000", code, 60n, 0n, 100n, 0n, 1n],
    owner,
  );
  const setup: Transaction[] = [];
  const voters = Array.from({ length: blockSize }, (_, i) => benchAccount(i + 1));
  for (const v of voters) {
    setup.push(s.tx("votesToken", token, owner, "transfer", [v, 10n ** 18n]));
    setup.push(s.tx("votesToken", token, v, "delegate", [v]));
  }
  s.run(setup);
  const ids: Uint8Array[] = [];
  for (let p = 0; p < proposals; p++) {
    const args = encodeAbi(["address", "u128"], [owner, BigInt(p + 1)]);
    const [r] = s.run([
      s.tx("governor", governor, owner, "propose", [[token], [0n], ["mint"], [args], `Proposal ${p}`]),
    ]);
    ids.push(
      decodeReturn(s.artifact("governor").metadata, "propose", r?.output ?? new Uint8Array(0)) as Uint8Array,
    );
  }
  const rng = createRng(seed);
  const votes = voters.map((v, i) => s.tx("governor", governor, v, "castVote", [ids[i % proposals], i % 3]));
  for (let i = votes.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [votes[i], votes[j]] = [votes[j] as Transaction, votes[i] as Transaction];
  }
  return { name: "votes", accounts: blockSize, pre: s.store, txs: votes };
}
