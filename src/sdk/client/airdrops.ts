/**
 * Merkle airdrops on a node (contracts/src/merkleDistributor, docs/sales.md): an airdrop's
 * progress (claims paid and what they came to), the call that claims one account's leaf,
 * and the development genesis's airdrop (its list, so any tool rebuilds the same tree and
 * proofs from `weft_genesis`).
 *
 * @example
 * const genesis = await client.genesis();
 * const tree = genesisAirdrop(genesis);
 * const calls = airdropClaimCalls(genesis.contracts.airdrop, tree, genesis.accounts[1].address);
 * await client.sendAndWait({ account, calls });
 * const { claimedCount, claimedAmount } = await getAirdrop(client, genesis.contracts.airdrop);
 */
import { merkleDistributor as distributorBinding } from "../../bindings/merkleDistributor.gen.js";
import { token as tokenBinding } from "../../bindings/token.gen.js";
import type { Address } from "../../codec/address.js";
import { fromHex, toHex } from "../../codec/bytes.js";
import {
  type AirdropClaim,
  type AirdropEntry,
  AirdropError,
  type AirdropTree,
  buildAirdrop,
} from "../airdrop.js";
import { ethDevKeys } from "../ethDevKeys.js";
import type { WeftClient } from "./client.js";
import { getContract } from "./contract.js";
import type { CallRequest } from "./types.js";

const E18 = 10n ** 18n;

/** The development genesis's airdrop: who gets what (in WLAUNCH, 18 decimals). */
export const GENESIS_AIRDROP = {
  /** The first this many development accounts are in the list. */
  devAccounts: 20,
  devAmount: 1_000n * E18,
  ethAmount: 500n * E18,
};

/** The genesis's development accounts (`weft_genesis` lists them; the Ethereum ones are the test mnemonic's, always the same). */
export interface AirdropGenesis {
  accounts: ReadonlyArray<{ address: string }>;
}

/**
 * The genesis airdrop's list: 1,000 WLAUNCH to each of the first 20 development accounts,
 * 500 to each Ethereum development account (`ethDevKeys`, which every development genesis
 * prefunds).
 */
export function genesisAirdropEntries(genesis: AirdropGenesis): AirdropEntry[] {
  const g = GENESIS_AIRDROP;
  return [
    ...genesis.accounts.slice(0, g.devAccounts).map((a) => ({ account: a.address, amount: g.devAmount })),
    ...ethDevAddresses().map((account) => ({ account, amount: g.ethAmount })),
  ];
}

let ethAddresses: string[] | undefined;
/** The Ethereum development accounts' addresses, derived once. */
function ethDevAddresses(): string[] {
  ethAddresses ??= ethDevKeys().map((k) => k.address);
  return ethAddresses;
}

/** The genesis airdrop's tree (root, total, each account's index and proof), as the genesis built it. */
export function genesisAirdrop(genesis: AirdropGenesis): AirdropTree {
  return buildAirdrop(genesisAirdropEntries(genesis));
}

export interface AirdropInfo {
  distributor: Address;
  token: Address;
  merkleRoot: string;
  /** When claims close (seconds; 0: never). */
  endTime: bigint;
  /** How many claims were paid, and what they came to (smallest units). */
  claimedCount: bigint;
  claimedAmount: bigint;
  /** What the distributor still holds. */
  balance: bigint;
}

/** An airdrop's settings and progress, read from its distributor. */
export async function getAirdrop(client: WeftClient, distributor: Address): Promise<AirdropInfo> {
  const d = getContract({ client, address: distributor, binding: distributorBinding });
  const [token, root, endTime, claimedCount, claimedAmount] = await Promise.all([
    d.read.token(),
    d.read.merkleRoot(),
    d.read.endTime(),
    d.read.claimedCount(),
    d.read.claimedAmount(),
  ]);
  const balance = await getContract({ client, address: token, binding: tokenBinding }).read.balanceOf(
    distributor,
  );
  return {
    distributor,
    token,
    merkleRoot: `0x${toHex(root)}`,
    endTime,
    claimedCount,
    claimedAmount,
    balance,
  };
}

/** `account`'s claim in `tree`; throws `AirdropError` (`NOT_IN_TREE`) when it has none. */
export function airdropClaimOf(tree: AirdropTree, account: string): AirdropClaim {
  const claim = tree.claims[account.toLowerCase() as Address];
  if (claim === undefined)
    throw new AirdropError(
      "NOT_IN_TREE",
      `${account.toLowerCase()} has no claim in the airdrop ${tree.merkleRoot}`,
    );
  return claim;
}

/** The call claiming `account`'s leaf of `tree` (anyone may send it; `account` is paid). */
export function airdropClaimCalls(distributor: Address, tree: AirdropTree, account: string): CallRequest[] {
  const claim = airdropClaimOf(tree, account);
  const args = distributorBinding.claim.encode(
    BigInt(claim.index),
    account.toLowerCase() as Address,
    BigInt(claim.amount),
    claim.proof.map((p) => fromHex(p.slice(2))),
  );
  return [{ target: distributor, method: "claim", args }];
}

/** Whether `account`'s leaf of `tree` was claimed. */
export async function isAirdropClaimed(
  client: WeftClient,
  distributor: Address,
  tree: AirdropTree,
  account: string,
): Promise<boolean> {
  const d = getContract({ client, address: distributor, binding: distributorBinding });
  return d.read.isClaimed(BigInt(airdropClaimOf(tree, account).index));
}
