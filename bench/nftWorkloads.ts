/**
 * The NFT benchmark workloads over the real contracts (`rentableNft`, `nftMarket`),
 * deterministic from the seed:
 *
 * - `nft-mint`: every transaction a mint of a new id by its own minter (1 per sender, as
 *   nonces would order a minter's mints anyway) to one of 1,000 recipients;
 * - `nft-transfer`: 1,000 holders of 4 tokens each; each transaction moves a distinct
 *   token from its holder to a random holder;
 * - `nft-sale`: 1,000 sellers with 2 listed tokens each; each transaction a buy of a
 *   distinct listing at its price by one of 1,000 buyers.
 *
 * What conflicts (docs/nft.md): a mint writes `own[id]` and `bal[to]`; a transfer
 * `own[id]`, `appr[id]`, `bal[from]` and `bal[to]`; so only transactions sharing a holder
 * or a recipient conflict. A sale also credits the market's coin balance (the value sent)
 * and the royalty receiver's earnings lane `tokenId % 16`, keys every sale shares: both are
 * commutative credits (docs/nft.md), so sales no longer depend on each other there.
 */
import { SetupRunner } from "../src/chain/setupRunner.js";
import type { Transaction } from "../src/chain/transaction.js";
import type { Address } from "../src/codec/address.js";
import { createRng } from "./lib/report.js";
import { BENCH_BLOCK, benchAccount, type Workload } from "./workloads.js";

/** Holders (and buyers, and recipients of mints) per workload, unless told. */
const HOLDERS = 1_000;

/** The collection, owned by account 0, paying 5% royalties to account 0; accounts 1..`accounts` funded. */
function world(accounts: number): { s: SetupRunner; nft: Address; owner: Address } {
  const owner = benchAccount(0);
  const balances: Array<[Address, bigint]> = [];
  for (let i = 0; i <= accounts; i++) balances.push([benchAccount(i), 10n ** 30n]);
  const s = new SetupRunner(BENCH_BLOCK, balances);
  const nft = s.deploy("rentableNft", ["Heroes", "HERO", "ipfs://hero/", owner, owner, 500n], owner);
  return { s, nft, owner };
}

function runChunks(s: SetupRunner, txs: Transaction[]): void {
  for (let at = 0; at < txs.length; at += 5_000) s.run(txs.slice(at, at + 5_000));
}

/** Mints of new ids, each by its own minter, to random recipients among 1,000. */
export function nftMints(blockSize: number, seed = 1, holders = HOLDERS): Workload {
  const SECOND = holders + 1;
  const { s, nft, owner } = world(SECOND + blockSize);
  const grants: Transaction[] = [];
  for (let i = 0; i < blockSize; i++)
    grants.push(s.tx("rentableNft", nft, owner, "setMinter", [benchAccount(SECOND + i), true]));
  runChunks(s, grants);
  const rng = createRng(seed);
  const txs: Transaction[] = [];
  for (let i = 0; i < blockSize; i++) {
    const to = benchAccount(1 + Math.floor(rng() * holders));
    txs.push(s.tx("rentableNft", nft, benchAccount(SECOND + i), "mint", [to, BigInt(i + 1), ""]));
  }
  return { name: "nft-mint", accounts: holders, pre: s.store, txs };
}

/** Holders 1..1,000 own tokens h*4+k; each transaction moves a distinct token to a random other holder. */
export function nftTransfers(blockSize: number, seed = 1, holders = HOLDERS): Workload {
  const { s, nft, owner } = world(holders);
  const mints: Transaction[] = [];
  for (let h = 1; h <= holders; h++)
    for (let k = 0; k < 4; k++)
      mints.push(s.tx("rentableNft", nft, owner, "mint", [benchAccount(h), BigInt(h * 4 + k), ""]));
  runChunks(s, mints);
  const rng = createRng(seed);
  const ids = shuffled(
    Array.from({ length: holders * 4 }, (_, i) => BigInt(4 + i)),
    rng,
  ).slice(0, blockSize);
  const txs = ids.map((id) => {
    const holder = Number(id / 4n);
    let to = 1 + Math.floor(rng() * (holders - 1));
    if (to >= holder) to++;
    return s.tx("rentableNft", nft, benchAccount(holder), "transferFrom", [
      benchAccount(holder),
      benchAccount(to),
      id,
    ]);
  });
  return { name: "nft-transfer", accounts: holders, pre: s.store, txs };
}

/** Sellers 1..1,000 list 2 tokens each (prices 1,000..10,999); buys of distinct listings by 1,000 buyers. */
export function nftSales(blockSize: number, seed = 1, holders = HOLDERS): Workload {
  const SECOND = holders + 1;
  const { s, nft, owner } = world(SECOND + holders);
  const market = s.deploy("nftMarket", [], owner);
  const rng = createRng(seed);
  const setup: Transaction[] = [];
  const prices = new Map<bigint, bigint>();
  for (let h = 1; h <= holders; h++) {
    setup.push(s.tx("rentableNft", nft, benchAccount(h), "setApprovalForAll", [market, true]));
    for (let k = 0; k < 2; k++) {
      const id = BigInt(h * 2 + k);
      const price = BigInt(1_000 + Math.floor(rng() * 10_000));
      prices.set(id, price);
      setup.push(s.tx("rentableNft", nft, owner, "mint", [benchAccount(h), id, ""]));
      setup.push(s.tx("nftMarket", market, benchAccount(h), "list", [nft, id, price]));
    }
  }
  runChunks(s, setup);
  const ids = shuffled([...prices.keys()], rng).slice(0, blockSize);
  const txs = ids.map((id) => {
    const buyer = benchAccount(SECOND + Math.floor(rng() * holders));
    return s.tx("nftMarket", market, buyer, "buy", [nft, id, buyer], prices.get(id));
  });
  return { name: "nft-sale", accounts: holders, pre: s.store, txs };
}

function shuffled<T>(xs: T[], rng: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
