/**
 * DeFi benchmark workloads over the real contracts: AMM swaps through the router over 1,
 * 10 or 100 pools, lending actions by many users, staking actions, and a mix of all of
 * them with token transfers. Each builds its pre-state with setup blocks, deterministically.
 */

import type { Receipt } from "../src/chain/receipt.js";
import { SetupRunner } from "../src/chain/setupRunner.js";
import type { Transaction } from "../src/chain/transaction.js";
import type { Address } from "../src/codec/address.js";
import { blsKeyFromSeed, blsProofOfPossession } from "../src/codec/bls.js";
import { keccak256 } from "../src/codec/hash.js";
import type { Storage } from "../src/state/storage.js";
import { createRng } from "./lib/report.js";
import { BENCH_BLOCK, benchAccount, type Workload } from "./workloads.js";

const WAD = 10n ** 18n;
const MAX = (1n << 128n) - 1n;
const DEADLINE = 4_000_000_000n;

/** The workloads' setup: `accounts` funded bench accounts; deployments from account 0; blocks of at most 5,000. */
class Setup extends SetupRunner {
  constructor(accounts: number) {
    const balances: Array<[Address, bigint]> = [];
    for (let i = 0; i <= accounts; i++) balances.push([benchAccount(i), 10n ** 30n]);
    super(BENCH_BLOCK, balances);
  }

  get pre(): Storage {
    return this.store;
  }

  override deploy(name: string, args: unknown[], from: Address = benchAccount(0)): Address {
    return super.deploy(name, args, from);
  }

  override run(txs: Transaction[]): Receipt[] {
    const receipts: Receipt[] = [];
    for (let at = 0; at < txs.length; at += 5_000) receipts.push(...super.run(txs.slice(at, at + 5_000)));
    return receipts;
  }
}

interface Amm {
  router: Address;
  /** Pool i trades `tokens[i]` against `base`. */
  tokens: Address[];
  base: Address;
}

/** Factory, router and `pools` pools (token i against a base token), with liquidity. */
function buildAmm(s: Setup, pools: number): Amm {
  const owner = benchAccount(0);
  s.deploy("pair", [benchAccount(1), benchAccount(2)]); // stores the pair code
  const factory = s.deploy("factory", [keccak256(s.artifact("pair").code)]);
  const router = s.deploy("router", [factory]);
  const base = s.deploy("token", ["Base", "BASE", 18, 10n ** 36n, owner]);
  const tokens: Address[] = [];
  for (let i = 0; i < pools; i++) tokens.push(s.deploy("token", [`T${i}`, `T${i}`, 18, 10n ** 36n, owner]));
  const setup: Transaction[] = [s.tx("token", base, owner, "approve", [router, MAX])];
  for (const t of tokens) {
    setup.push(s.tx("token", t, owner, "approve", [router, MAX]));
    setup.push(
      s.tx("router", router, owner, "addLiquidity", [
        t,
        base,
        10n ** 27n,
        10n ** 27n,
        0n,
        0n,
        owner,
        DEADLINE,
      ]),
    );
  }
  s.run(setup);
  return { router, tokens, base };
}

/** Gives `traders` both tokens of their pool (trader k trades in pool k % pools) and approves the router. */
function fundTraders(s: Setup, amm: Amm, traders: number, first: number): void {
  const owner = benchAccount(0);
  const txs: Transaction[] = [];
  for (let k = 0; k < traders; k++) {
    const who = benchAccount(first + k);
    const token = amm.tokens[k % amm.tokens.length] as Address;
    for (const t of [token, amm.base]) {
      txs.push(s.tx("token", t, owner, "transfer", [who, 10n ** 24n]));
      txs.push(s.tx("token", t, who, "approve", [amm.router, MAX]));
    }
  }
  s.run(txs);
}

function swapTx(s: Setup, amm: Amm, trader: number, first: number, rng: () => number): Transaction {
  const who = benchAccount(first + trader);
  const token = amm.tokens[trader % amm.tokens.length] as Address;
  const path = rng() < 0.5 ? [token, amm.base] : [amm.base, token];
  return s.tx("router", amm.router, who, "swapExactTokensForTokens", [10n ** 15n, 0n, path, who, DEADLINE]);
}

/** Swaps through the router over `pools` pools by 1,000 traders. */
export function ammSwaps(pools: number, blockSize: number, seed = 1): Workload {
  const traders = 1_000;
  const s = new Setup(traders + 10);
  const amm = buildAmm(s, pools);
  fundTraders(s, amm, traders, 10);
  const rng = createRng(seed);
  const txs: Transaction[] = [];
  for (let i = 0; i < blockSize; i++) txs.push(swapTx(s, amm, Math.floor(rng() * traders), 10, rng));
  return { name: `amm-swap-${pools}-pools`, accounts: traders, pre: s.pre, txs };
}

interface Lending {
  lending: Address;
  usd: Address;
  eth: Address;
}

function buildLending(s: Setup, users: number, first: number): Lending {
  const owner = benchAccount(0);
  const oracle = s.deploy("oracle", [10n ** 9n]);
  const lending = s.deploy("lending", [oracle]);
  const usd = s.deploy("token", ["USD", "USD", 18, 10n ** 36n, owner]);
  const eth = s.deploy("token", ["ETH", "ETH", 18, 10n ** 36n, owner]);
  const setup: Transaction[] = [
    s.tx("oracle", oracle, owner, "setPrice", [usd, WAD]),
    s.tx("oracle", oracle, owner, "setPrice", [eth, 2000n * WAD]),
    s.tx("lending", lending, owner, "listMarket", [
      usd,
      (8n * WAD) / 10n,
      WAD / 10n,
      10n ** 9n,
      5n * 10n ** 9n,
      10n ** 11n,
      (8n * WAD) / 10n,
    ]),
    s.tx("lending", lending, owner, "listMarket", [
      eth,
      (75n * WAD) / 100n,
      WAD / 10n,
      10n ** 9n,
      5n * 10n ** 9n,
      10n ** 11n,
      (8n * WAD) / 10n,
    ]),
    s.tx("token", usd, owner, "approve", [lending, MAX]),
    s.tx("lending", lending, owner, "supply", [usd, 10n ** 30n]),
  ];
  for (let k = 0; k < users; k++) {
    const who = benchAccount(first + k);
    setup.push(s.tx("token", eth, owner, "transfer", [who, 100n * WAD]));
    setup.push(s.tx("token", usd, owner, "transfer", [who, 10_000n * WAD]));
    setup.push(s.tx("token", eth, who, "approve", [lending, MAX]));
    setup.push(s.tx("token", usd, who, "approve", [lending, MAX]));
    setup.push(s.tx("lending", lending, who, "supply", [eth, 10n * WAD]));
  }
  s.run(setup);
  return { lending, usd, eth };
}

function lendingTx(s: Setup, l: Lending, user: number, first: number, rng: () => number): Transaction {
  const who = benchAccount(first + user);
  const r = rng();
  if (r < 0.4) return s.tx("lending", l.lending, who, "borrow", [l.usd, 10n * WAD]);
  if (r < 0.6) return s.tx("lending", l.lending, who, "repay", [l.usd, who, 5n * WAD]);
  if (r < 0.8) return s.tx("lending", l.lending, who, "supply", [l.eth, WAD]);
  return s.tx("lending", l.lending, who, "withdraw", [l.eth, WAD / 10n]);
}

/** Borrow, repay, supply and withdraw by 1,000 users over two markets. */
export function lendingActions(blockSize: number, seed = 1): Workload {
  const users = 1_000;
  const s = new Setup(users + 10);
  const l = buildLending(s, users, 10);
  const rng = createRng(seed);
  const txs: Transaction[] = [];
  for (let i = 0; i < blockSize; i++) txs.push(lendingTx(s, l, Math.floor(rng() * users), 10, rng));
  return { name: "lending", accounts: users, pre: s.pre, txs };
}

function buildStaking(s: Setup, validators: number): { staking: Address; validators: Address[] } {
  const staking = s.deploy("staking", [86_400n * 21n, WAD / 20n, WAD / 1000n]);
  const list: Address[] = [];
  const txs: Transaction[] = [];
  for (let v = 0; v < validators; v++) {
    const who = benchAccount(1 + v);
    list.push(who);
    const bls = blsKeyFromSeed(new Uint8Array(32).fill(1 + v));
    const pop = blsProofOfPossession(bls, BENCH_BLOCK.chainId, who);
    txs.push(s.tx("staking", staking, who, "register", [500, bls.publicKey, pop]));
  }
  s.run(txs);
  return { staking, validators: list };
}

function stakingTx(
  s: Setup,
  st: { staking: Address; validators: Address[] },
  user: number,
  first: number,
  rng: () => number,
): Transaction {
  const who = benchAccount(first + user);
  const v = st.validators[Math.floor(rng() * st.validators.length)] as Address;
  const r = rng();
  if (r < 0.6) return s.tx("staking", st.staking, who, "delegate", [v], WAD);
  if (r < 0.9) return s.tx("staking", st.staking, who, "claimRewards", [v]);
  return s.tx("staking", st.staking, benchAccount(0), "depositReward", [v], WAD);
}

/** Delegations, reward claims and reward deposits by 1,000 delegators over 20 validators. */
export function stakingActions(blockSize: number, seed = 1): Workload {
  const users = 1_000;
  const s = new Setup(users + 30);
  const st = buildStaking(s, 20);
  const rng = createRng(seed);
  const txs: Transaction[] = [];
  for (let i = 0; i < blockSize; i++) txs.push(stakingTx(s, st, Math.floor(rng() * users), 30, rng));
  return { name: "staking", accounts: users, pre: s.pre, txs };
}

/** A mix: 40% token transfers, 30% swaps over 10 pools, 20% lending, 10% staking. */
export function defiMix(blockSize: number, seed = 1): Workload {
  const users = 1_000;
  const first = 30;
  const s = new Setup(users + first);
  const amm = buildAmm(s, 10);
  fundTraders(s, amm, users, first);
  const l = buildLending(s, users, first);
  const st = buildStaking(s, 20);
  const rng = createRng(seed);
  const txs: Transaction[] = [];
  for (let i = 0; i < blockSize; i++) {
    const user = Math.floor(rng() * users);
    const r = rng();
    if (r < 0.4) {
      const to = benchAccount(first + Math.floor(rng() * users));
      txs.push(s.tx("token", amm.base, benchAccount(first + user), "transfer", [to, 10n ** 12n]));
    } else if (r < 0.7) txs.push(swapTx(s, amm, user, first, rng));
    else if (r < 0.9) txs.push(lendingTx(s, l, user, first, rng));
    else txs.push(stakingTx(s, st, user, first, rng));
  }
  return { name: "defi-mix", accounts: users, pre: s.pre, txs };
}
