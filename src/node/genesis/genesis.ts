/**
 * The development genesis: prefunded smart accounts with printed keys (as local Ethereum
 * dev nodes do) and the DeFi suite deployed and seeded, built deterministically from the
 * chain id, the genesis time and the number of accounts.
 *
 * - Accounts: `ed25519Account` contracts whose keys derive from "weft dev account <i>"
 *   (sha256), each with 1,000,000 coin, 1,000,000 WUSD and 1,000 WETH.
 * - Ethereum accounts: the 10 keys of the standard test mnemonic (`sdk/ethDevKeys.ts`,
 *   as Anvil and Hardhat), each with 10,000 coin, for Ethereum transactions and tools.
 * - Tokens WUSD and WETH; the AMM (pair code, factory, router) with a WETH/WUSD pool
 *   (1,000 WETH : 2,000,000 WUSD); a price oracle (coin $1, WUSD $1, WETH $2,000); the
 *   lending market listing both with 10,000,000 WUSD supplied; staking; the account
 *   factory for every account kind; a sponsoring paymaster (router and tokens) and a
 *   WUSD token paymaster, both funded.
 * - NFTs (`nftGenesis.ts`): a rentable collection and the NFT marketplace, seeded.
 * - After the accounts (so their addresses do not move): the farm (docs/farm.md), paying
 *   WFARM at 1 a second to stakers of the WETH/WUSD pool's LP token, funded for
 *   10,000,000 seconds; every account holds 100 LP tokens, and account 0 has 10 staked.
 *   Then the game (docs/game.md): heroes (a rentable NFT, hero i + 1 owned by account i),
 *   GOLD (owned by the game, which mints rewards and burns what sinks take), three quests
 *   (a minute, an hour, a day) and a recipe. Then, on a development chain, governance
 *   (`governanceGenesis.ts`): the vote token WGOV, the governor and its timelock, which owns
 *   every protocol parameter: lending, staking, the oracle, both paymasters, the farm, WGOV's
 *   minting and the AMM's fee switch.
 * - Last, on a development chain, the options (`optionsGenesis.ts`, docs/options.md): an
 *   options contract with a WETH call series, a covered-call vault and a cash-secured-put
 *   vault with a round under way; then a second exchange (`exchangeGenesis.ts`): a
 *   shallower WETH/WUSD pool (`pool2`) on its own factory and router, and a
 *   `flashArbitrage` contract owned by account 0, for the arbitrage bot. Then the token
 *   sale (`saleGenesis.ts`, docs/sales.md): WLAUNCH on sale for WUSD, a vesting contract
 *   with account 0's team schedule, and a Merkle airdrop to the development and Ethereum
 *   accounts.
 */

import { loadArtifact } from "../../chain/artifacts.js";
import type { BlockContext } from "../../chain/blockContext.js";
import {
  ACCOUNT_KIND_CONTRACTS,
  accountCreation,
  type GenesisAccount,
  genesisAccountFactoryAddress,
} from "../../chain/genesisAccounts.js";
import { SetupRunner } from "../../chain/setupRunner.js";
import { GENESIS_DEPLOYER, networkStakingAddress } from "../../chain/staking/genesisStaking.js";
import type { Address } from "../../codec/address.js";
import { contractAddress } from "../../codec/address.js";
import { toHex } from "../../codec/bytes.js";
import { keccak256 } from "../../codec/hash.js";
import { decodeReturn, encodeCall } from "../../codec/metadata.js";
import { devSigner } from "../../sdk/devKeys.js";
import { ethDevKeys } from "../../sdk/ethDevKeys.js";
import { GAS } from "../../vm/gasSchedule.js";
import { deploySecondExchange } from "./exchangeGenesis.js";
import { deployGovernance } from "./governanceGenesis.js";
import { type NetworkGenesis, type NetworkInfo, networkStakingArgs, setUpNetwork } from "./networkGenesis.js";
import { seedNfts } from "./nftGenesis.js";
import { deployOptions } from "./optionsGenesis.js";
import { deploySale } from "./saleGenesis.js";

export { devSigner };

import type { WriteSet } from "../../state/storage.js";

const E18 = 10n ** 18n;
const MAX = (1n << 128n) - 1n;
const DEADLINE = 1n << 62n;
const TEN_YEARS = 10n * 365n * 24n * 3600n;
/** Each Ethereum development account's coin (Anvil's 10,000). */
const ETH_DEV_COIN = 10_000n * E18;

export { GENESIS_DEPLOYER };

export interface DevAccount {
  address: Address;
  kind: "ed25519";
  publicKey: string;
  /** The 32-byte ed25519 secret, hex: for development only. */
  secretKey: string;
}

/** An Ethereum development account (an EOA of the test mnemonic). */
export interface EthDevAccount {
  address: Address;
  /** The 32-byte secp256k1 secret, hex: for development only. */
  privateKey: string;
}

export interface GenesisInfo {
  /** "development", or "network" with a validator network (absent in records written before the field existed). */
  kind?: string;
  chainId: string;
  time: number;
  accounts: DevAccount[];
  /** The test mnemonic's accounts (absent in records written before they existed). */
  ethAccounts?: EthDevAccount[];
  contracts: Record<string, Address>;
  /** Set when the genesis made a validator network (networkGenesis.ts). */
  network?: NetworkInfo;
}

export interface GenesisOptions {
  chainId: bigint;
  time: number;
  accounts: number;
  feeRecipient: Address;
  /** A validator network: its validators and parameters (networkGenesis.ts). */
  network?: NetworkGenesis;
  /** Fund the published Ethereum test keys eth0-eth9 (default true; a real network's genesis file says false). */
  ethDevAccounts?: boolean;
  /** Smart accounts created for keys after the development accounts (a genesis file's `accounts`). */
  genesisAccounts?: ReadonlyArray<GenesisAccount>;
  /** Coin (wei) given to named addresses after the development accounts (a genesis file's `alloc`). */
  alloc?: ReadonlyArray<{ address: Address; amount: bigint }>;
}

export function buildGenesis(options: GenesisOptions): { writes: WriteSet; info: GenesisInfo } {
  const block: BlockContext = {
    height: 0n,
    time: BigInt(options.time),
    chainId: options.chainId,
    feeRecipient: options.feeRecipient,
  };
  const me = GENESIS_DEPLOYER;
  const eth = options.ethDevAccounts === false ? [] : ethDevKeys();
  const s = new SetupRunner(block, [
    [me, 10n ** 40n],
    ...eth.map((k): [Address, bigint] => [k.address, ETH_DEV_COIN]),
  ]);
  const c: Record<string, Address> = {};
  c.wusd = s.deploy("token", ["Weft USD", "WUSD", 18, 10n ** 36n, me], me);
  c.weth = s.deploy("token", ["Weft Ether", "WETH", 18, 10n ** 30n, me], me);
  // Deploying one pair stores the pair code, which the factory creates pools from.
  s.deploy(
    "pair",
    ["0x0000000000000000000000000000000000000001", "0x0000000000000000000000000000000000000002"],
    me,
  );
  c.factory = s.deploy("factory", [keccak256(s.artifact("pair").code)], me);
  c.router = s.deploy("router", [c.factory], me);
  c.oracle = s.deploy("oracle", [TEN_YEARS], me);
  c.lending = s.deploy("lending", [c.oracle], me);
  const network = options.network;
  c.staking = s.deploy(
    "staking",
    network === undefined ? [3600n, E18 / 20n, E18 / 1000n] : networkStakingArgs(network),
    me,
  );
  // Light clients derive this address from the genesis file (they must not take a node's word for it).
  if (network !== undefined && c.staking !== networkStakingAddress(network.unbondingSeconds))
    throw new Error(`genesis: the staking contract is at ${c.staking}, not where light clients derive it`);
  // Every account kind's code is on chain, so the factory can create any of them.
  c.accountFactory = s.deploy("accountFactory", [ACCOUNT_KIND_CONTRACTS.map((k) => s.storeCode(k))], me);
  // A genesis file's accounts are named by this address before any genesis is built.
  if (c.accountFactory !== genesisAccountFactoryAddress())
    throw new Error(
      `genesis: the account factory is at ${c.accountFactory}, not where genesis files derive it`,
    );
  c.sponsorPaymaster = s.deploy("sponsorPaymaster", [10n ** 18n], me);
  c.tokenPaymaster = s.deploy("tokenPaymaster", [c.wusd, c.oracle, 100, 24n * 3600n], me);
  const coin = "0x0000000000000000000000000000000000000000" as Address;
  const market = (collateral: bigint) => [
    collateral,
    E18 / 10n,
    10n ** 9n,
    5n * 10n ** 9n,
    10n ** 11n,
    (8n * E18) / 10n,
  ];
  s.run([
    s.tx("token", c.wusd, me, "approve", [c.router, MAX]),
    s.tx("token", c.weth, me, "approve", [c.router, MAX]),
    s.tx("router", c.router, me, "addLiquidity", [
      c.weth,
      c.wusd,
      1_000n * E18,
      2_000_000n * E18,
      0n,
      0n,
      me,
      DEADLINE,
    ]),
    s.tx("oracle", c.oracle, me, "setPrice", [coin, E18]),
    s.tx("oracle", c.oracle, me, "setPrice", [c.wusd, E18]),
    s.tx("oracle", c.oracle, me, "setPrice", [c.weth, 2_000n * E18]),
    s.tx("lending", c.lending, me, "listMarket", [c.wusd, ...market((8n * E18) / 10n)]),
    s.tx("lending", c.lending, me, "listMarket", [c.weth, ...market((75n * E18) / 100n)]),
    s.tx("token", c.wusd, me, "approve", [c.lending, MAX]),
    s.tx("lending", c.lending, me, "supply", [c.wusd, 10_000_000n * E18]),
    s.tx("sponsorPaymaster", c.sponsorPaymaster, me, "fund", [], 10n ** 30n),
    s.tx("sponsorPaymaster", c.sponsorPaymaster, me, "setSponsored", [c.router, true]),
    s.tx("sponsorPaymaster", c.sponsorPaymaster, me, "setSponsored", [c.wusd, true]),
    s.tx("sponsorPaymaster", c.sponsorPaymaster, me, "setSponsored", [c.weth, true]),
    s.tx("tokenPaymaster", c.tokenPaymaster, me, "fund", [], 10n ** 30n),
    s.tx("tokenPaymaster", c.tokenPaymaster, me, "refreshRate", []),
  ]);
  c.pool = pairAddress(s, c.factory, c.weth, c.wusd);

  const accounts: DevAccount[] = [];
  for (let i = 0; i < options.accounts; i++) {
    const key = devSigner(i);
    const address = s.deploy("ed25519Account", [key.publicKey], me, 10n ** 6n * E18);
    s.run([
      s.tx("token", c.wusd, me, "transfer", [address, 1_000_000n * E18]),
      s.tx("token", c.weth, me, "transfer", [address, 1_000n * E18]),
    ]);
    accounts.push({
      address,
      kind: "ed25519",
      publicKey: toHex(key.publicKey),
      secretKey: toHex(key.secret),
    });
  }
  // Created by the factory (not the deployer) and funded by plain transfers: later contracts' addresses do not move.
  if (options.genesisAccounts !== undefined && options.genesisAccounts.length > 0)
    createGenesisAccounts(s, c.accountFactory, options.genesisAccounts);
  // Plain transfers (no deployment): later contracts' addresses do not move.
  if (options.alloc !== undefined && options.alloc.length > 0)
    s.run(
      options.alloc.map((a) => ({
        kind: "transfer" as const,
        from: me,
        to: a.address,
        amount: a.amount,
        gasLimit: GAS.TX_BASE + GAS.TRANSFER_TX,
        gasPrice: 0n,
      })),
    );
  seedNfts(
    s,
    c,
    me,
    accounts.map((a) => a.address),
  );
  const info: GenesisInfo = {
    kind: "development",
    chainId: options.chainId.toString(),
    time: options.time,
    accounts,
    ...(eth.length === 0
      ? {}
      : { ethAccounts: eth.map((k) => ({ address: k.address, privateKey: toHex(k.privateKey) })) }),
    contracts: c,
  };
  if (network !== undefined) {
    // Dev mode's blocks do not run the end-of-block step: a network is never in dev mode.
    info.kind = "network";
    info.network = setUpNetwork(s, c.staking, me, network);
  }
  deployFarm(s, c, accounts);
  deployGame(s, c, accounts);
  // Development chains only: a validator network's genesis stays as it was.
  if (network === undefined) {
    const addresses = accounts.map((a) => a.address);
    deployGovernance(s, c, me, addresses);
    deployOptions(s, c, me, addresses, block.time);
    deploySecondExchange(s, c, me, addresses);
    deploySale(s, c, me, addresses, block.time);
  }
  return { writes: s.writes, info };
}

/** Creates each key's account through the factory, as `weft account create` would, then funds it. */
function createGenesisAccounts(
  s: SetupRunner,
  factory: Address,
  accounts: ReadonlyArray<GenesisAccount>,
): void {
  const receipts = s.run(
    accounts.map((a) => {
      const { codeHash, initArgs, salt } = accountCreation(a.key);
      return s.tx("accountFactory", factory, GENESIS_DEPLOYER, "createAccount", [codeHash, initArgs, salt]);
    }),
  );
  receipts.forEach((r, i) => {
    const made = decodeReturn(
      s.artifact("accountFactory").metadata,
      "createAccount",
      r.output ?? new Uint8Array(0),
    );
    const want = (accounts[i] as GenesisAccount).address;
    if (String(made).toLowerCase() !== want.toLowerCase())
      throw new Error(`genesis: account ${i} was created at ${String(made)}, not at ${want}`);
  });
  const funded = accounts.filter((a) => a.amount > 0n);
  if (funded.length > 0)
    s.run(
      funded.map((a) => ({
        kind: "transfer" as const,
        from: GENESIS_DEPLOYER,
        to: a.address,
        amount: a.amount,
        gasLimit: GAS.TX_BASE + GAS.TRANSFER_TX,
        gasPrice: 0n,
      })),
    );
}

/** Contracts the genesis deploys before the development accounts (the salts count deployments). */
const DEPLOYS_BEFORE_ACCOUNTS = 11;

/**
 * The address development account `i` will have in a genesis (without building one), so a
 * network genesis can name dev accounts as validator operators and prove BLS keys for them.
 */
export function devAccountAddress(i: number): Address {
  const a = loadArtifact("ed25519Account");
  const ctor = a.metadata.constructor;
  const args =
    ctor === null
      ? new Uint8Array(0)
      : encodeCall({ ...a.metadata, methods: [ctor] }, "init", [devSigner(i).publicKey]);
  const salt = new Uint8Array(32);
  new DataView(salt.buffer).setUint32(0, DEPLOYS_BEFORE_ACCOUNTS + 1 + i);
  return contractAddress(GENESIS_DEPLOYER, salt, keccak256(a.code), args);
}

/** The farm over the WETH/WUSD pool's LP token, funded, with LP tokens for every account and a position for account 0. */
function deployFarm(s: SetupRunner, c: Record<string, Address>, accounts: DevAccount[]): void {
  const me = GENESIS_DEPLOYER;
  const pool = c.pool as Address;
  c.farmReward = s.deploy("token", ["Weft Farm", "WFARM", 18, 10n ** 27n, me], me);
  c.farm = s.deploy("farm", [c.farmReward, E18], me);
  const txs = [
    s.tx("token", c.farmReward, me, "approve", [c.farm, MAX]),
    s.tx("farm", c.farm, me, "addPool", [pool, 100]),
    s.tx("farm", c.farm, me, "fund", [10_000_000n * E18]),
  ];
  for (const a of accounts) txs.push(s.tx("pair", pool, me, "transfer", [a.address, 100n * E18]));
  const first = accounts[0];
  if (first !== undefined) {
    txs.push(s.tx("pair", pool, first.address, "approve", [c.farm, MAX]));
    txs.push(s.tx("farm", c.farm, first.address, "deposit", [0, 10n * E18]));
  }
  s.run(txs);
}

/** The game over a rentable NFT of heroes, one hero per account; GOLD is owned by the game. */
function deployGame(s: SetupRunner, c: Record<string, Address>, accounts: DevAccount[]): void {
  const me = GENESIS_DEPLOYER;
  c.heroes = s.deploy(
    "rentableNft",
    ["Weft Heroes", "HERO", "https://weft.example/heroes/", me, me, 500n],
    me,
  );
  c.gold = s.deploy("token", ["Weft Gold", "GOLD", 18, 0n, me], me);
  // 1 GOLD a second at most, 100,000,000 in all, 16 shards; 100 a hero a day; level n costs n GOLD.
  c.game = s.deploy("game", [c.heroes, c.gold, E18, 100_000_000n * E18, 16, 100n * E18, E18], me);
  const txs = [
    s.tx("token", c.gold, me, "transferOwnership", [c.game]),
    s.tx("game", c.game, me, "addQuest", [60n, E18]),
    s.tx("game", c.game, me, "addQuest", [3_600n, 10n * E18]),
    s.tx("game", c.game, me, "addQuest", [86_400n, 100n * E18]),
    s.tx("game", c.game, me, "addRecipe", [E18 / 2n]),
  ];
  accounts.forEach((a, i) => {
    txs.push(s.tx("rentableNft", c.heroes as Address, me, "mint", [a.address, BigInt(i + 1), ""]));
  });
  s.run(txs);
}

function pairAddress(s: SetupRunner, factory: Address, a: Address, b: Address): Address {
  const [receipt] = s.run([s.tx("factory", factory, GENESIS_DEPLOYER, "getPair", [a, b])]);
  return decodeReturn(
    s.artifact("factory").metadata,
    "getPair",
    receipt?.output ?? new Uint8Array(0),
  ) as Address;
}
