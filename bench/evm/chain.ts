/**
 * The EVM side of the comparison: `@ethereumjs/vm` (v10) with the hand-assembled token
 * (`token.ts`) deployed by a transaction, holders funded, and blocks of signed token
 * transfers run with `runTx` one after another, as a block executes.
 *
 * Signatures are real, but the timed part is execution, as in Weft's sequential benchmark
 * (which runs transactions without signatures): a frozen transaction caches its sender's
 * public key, and the cache is filled when the transaction is built, either by recovering
 * it (`recover: true`, about 1.4 ms each on the reference machine) or with the public key
 * of the key that signed it (the same value, without the cost; the tests check that the two
 * agree).
 */
import { Common, Hardfork, Mainnet } from "@ethereumjs/common";
import { Caches, MerkleStateManager } from "@ethereumjs/statemanager";
import { createLegacyTx, type LegacyTx } from "@ethereumjs/tx";
import { Address, bytesToBigInt, createAccount, privateToPublic, publicToAddress } from "@ethereumjs/util";
import { createVM, type RunTxResult, runTx, type VM } from "@ethereumjs/vm";
import { keccak256 } from "../../src/codec/hash.js";
import { balanceOfData, balanceSlotOf, tokenDeployData, transferData, u256 } from "./token.js";

/** Gas price of every transaction (at or above the default block's base fee). */
export const GAS_PRICE = 10n;
/** Gas limit of a transfer (it uses about 30-55k). */
export const TRANSFER_GAS_LIMIT = 100_000n;
const ETH = 10n ** 18n;

export interface EvmAccount {
  key: Uint8Array;
  /** 64 bytes (x ‖ y), as ecrecover returns it. */
  publicKey: Uint8Array;
  address: Address;
  /** 0x + 40 lowercase hex digits. */
  hex: string;
}

/** Account `i`'s key: keccak256("weft evm bench <i>"), a valid secp256k1 secret. */
export function evmAccount(i: number): EvmAccount {
  const key = keccak256(new TextEncoder().encode(`weft evm bench ${i}`));
  const publicKey = privateToPublic(key);
  const address = new Address(publicToAddress(publicKey));
  return { key, publicKey, address, hex: address.toString().toLowerCase() };
}

export interface TokenChain {
  vm: VM;
  common: Common;
  token: Address;
  deployer: EvmAccount;
  /** Next nonce per sender (hex address), as the chain's state will have it. */
  nonces: Map<string, bigint>;
}

/**
 * How the VM keeps state: `cached` is the MerkleStateManager with account, storage and
 * code caches (what a client runs: state is read and written in the caches, the trie is
 * updated when the outermost checkpoint commits); `trie` is `createVM`'s default, the
 * MerkleStateManager without caches (every write goes through the trie).
 */
export type StateKind = "cached" | "trie";

/** A fresh VM (Prague rules) with the deployer funded and the token deployed by a transaction. */
export async function createTokenChain(supply: bigint, state: StateKind = "cached"): Promise<TokenChain> {
  const common = new Common({ chain: Mainnet, hardfork: Hardfork.Prague });
  const vm =
    state === "cached"
      ? await createVM({ common, stateManager: new MerkleStateManager({ common, caches: new Caches() }) })
      : await createVM({ common });
  const deployer = evmAccount(1_000_000_000);
  await vm.stateManager.putAccount(deployer.address, createAccount({ nonce: 0n, balance: 10n ** 9n * ETH }));
  const tx = createLegacyTx(
    { nonce: 0n, gasPrice: GAS_PRICE, gasLimit: 1_000_000n, data: tokenDeployData(supply) },
    { common },
  ).sign(deployer.key);
  const result = await runTx(vm, { tx });
  const token = result.createdAddress;
  if (token === undefined || result.execResult.exceptionError !== undefined)
    throw new Error(`token deployment failed: ${result.execResult.exceptionError?.error ?? "no address"}`);
  return { vm, common, token, deployer, nonces: new Map([[deployer.hex, 1n]]) };
}

/**
 * Gives each account `coin` wei and `tokens` token units by writing the state directly
 * (setup, not measured), taking the tokens from the deployer's balance.
 */
export async function fundAccounts(
  chain: TokenChain,
  accounts: readonly EvmAccount[],
  coin: bigint,
  tokens: bigint,
): Promise<void> {
  const sm = chain.vm.stateManager;
  await sm.checkpoint();
  for (const a of accounts) {
    await sm.putAccount(a.address, createAccount({ nonce: 0n, balance: coin }));
    await sm.putStorage(chain.token, balanceSlotOf(a.hex), u256(tokens));
    chain.nonces.set(a.hex, 0n);
  }
  const deployerSlot = balanceSlotOf(chain.deployer.hex);
  const left = bytesToBigInt(await sm.getStorage(chain.token, deployerSlot));
  const needed = tokens * BigInt(accounts.length);
  if (left < needed) throw new Error("supply too small for the funding");
  await sm.putStorage(chain.token, deployerSlot, u256(left - needed));
  await sm.commit(); // the outermost commit writes the caches into the trie
}

/** A signed transfer from `from` (next nonce taken from `chain.nonces`), its sender cached (see the top). */
export function signedTransfer(
  chain: TokenChain,
  from: EvmAccount,
  to: string,
  amount: bigint,
  recover = false,
): LegacyTx {
  const nonce = chain.nonces.get(from.hex) ?? 0n;
  chain.nonces.set(from.hex, nonce + 1n);
  const tx = createLegacyTx(
    {
      nonce,
      gasPrice: GAS_PRICE,
      gasLimit: TRANSFER_GAS_LIMIT,
      to: chain.token,
      data: transferData(to, amount),
    },
    { common: chain.common },
  ).sign(from.key);
  if (recover)
    tx.getSenderAddress(); // recovers and caches the public key (the transaction is frozen)
  else tx.cache.senderPubKey = from.publicKey;
  return tx;
}

/** Runs `txs` in order; returns the results. */
export async function runTransactions(chain: TokenChain, txs: readonly LegacyTx[]): Promise<RunTxResult[]> {
  const results: RunTxResult[] = [];
  for (const tx of txs) results.push(await runTx(chain.vm, { tx }));
  return results;
}

/** The token balance of `who` (0x hex), read by calling balanceOf. */
export async function tokenBalance(chain: TokenChain, who: string): Promise<bigint> {
  const result = await chain.vm.evm.runCall({
    to: chain.token,
    data: balanceOfData(who),
    gasLimit: 100_000n,
  });
  if (result.execResult.exceptionError !== undefined)
    throw new Error(`balanceOf failed: ${result.execResult.exceptionError.error}`);
  return bytesToBigInt(result.execResult.returnValue);
}
