/**
 * The airdrop's benchmark workload: 10 Merkle airdrops (one token each) of 1,000 accounts
 * apiece, and a block of claims, each by its own account, in a random order. Deterministic
 * from the seed.
 *
 * Each claim writes its own claim key and the claimant's balance, but also its airdrop's
 * balance in the token: claims of one airdrop conflict there and run in order, claims of
 * different airdrops run side by side (docs/sales.md).
 */
import { SetupRunner } from "../src/chain/setupRunner.js";
import type { Transaction } from "../src/chain/transaction.js";
import type { Address } from "../src/codec/address.js";
import { fromHex } from "../src/codec/bytes.js";
import { buildAirdrop } from "../src/sdk/airdrop.js";
import { createRng } from "./lib/report.js";
import { BENCH_BLOCK, benchAccount, type Workload } from "./workloads.js";

const FIRST = 10;

/** Claims from `airdrops` airdrops of `perAirdrop` accounts each (a block of at most airdrops × perAirdrop). */
export function airdropClaims(blockSize: number, seed = 1, airdrops = 10, perAirdrop = 1_000): Workload {
  const owner = benchAccount(0);
  const claimants = airdrops * perAirdrop;
  const balances: Array<[Address, bigint]> = [];
  for (let i = 0; i <= claimants + FIRST; i++) balances.push([benchAccount(i), 10n ** 30n]);
  const s = new SetupRunner(BENCH_BLOCK, balances);
  const claims: Transaction[] = [];
  for (let a = 0; a < airdrops; a++) {
    const accounts = Array.from({ length: perAirdrop }, (_, k) => benchAccount(FIRST + a * perAirdrop + k));
    const tree = buildAirdrop(accounts.map((account, k) => ({ account, amount: 10n ** 18n + BigInt(k) })));
    const token = s.deploy("token", [`Drop${a}`, `D${a}`, 18, 10n ** 36n, owner], owner);
    const drop = s.deploy("merkleDistributor", [token, fromHex(tree.merkleRoot.slice(2)), 0n], owner);
    s.run([s.tx("token", token, owner, "transfer", [drop, BigInt(tree.tokenTotal)])]);
    for (const account of accounts) {
      const c = tree.claims[account.toLowerCase() as Address];
      if (c === undefined) throw new Error(`no claim for ${account}`);
      const proof = c.proof.map((p) => fromHex(p.slice(2)));
      claims.push(
        s.tx("merkleDistributor", drop, account, "claim", [
          BigInt(c.index),
          account,
          BigInt(c.amount),
          proof,
        ]),
      );
    }
  }
  const rng = createRng(seed);
  for (let i = claims.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [claims[i], claims[j]] = [claims[j] as Transaction, claims[i] as Transaction];
  }
  return { name: "airdrop", accounts: claimants, pre: s.store, txs: claims.slice(0, blockSize) };
}
