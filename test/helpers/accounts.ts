/** Test helpers for smart-account transactions: funded ed25519 accounts, calls, signed envelopes. */
import type { Transaction } from "../../src/chain/transaction.js";
import { type Call, signingHash, type TxEnvelope } from "../../src/chain/tx/envelope.js";
import type { Address } from "../../src/codec/address.js";
import { encodeCall } from "../../src/codec/metadata.js";
import { ed25519Signer } from "../../src/sdk/signers.js";
import { nonceKey } from "../../src/state/keys.js";
import { account } from "./chain.js";
import { type Contract, TestChain } from "./contracts.js";

export type Signer = ReturnType<typeof ed25519Signer>;
export interface User {
  address: Address;
  key: Signer;
}

/** A chain with a token (supply with account(1)) and `accounts` ed25519 accounts holding 1e18 coin and 1e6 tokens. */
export function setupAccounts(accounts = 1) {
  const chain = new TestChain(6);
  const token = chain.deploy("token", ["T", "T", 0, 10n ** 12n, account(1)]);
  const users: User[] = [];
  for (let i = 0; i < accounts; i++) {
    const key = ed25519Signer();
    const acct = chain.deploy("ed25519Account", [key.publicKey], account(1), new Uint8Array(32).fill(i + 1));
    chain.runOne({
      kind: "transfer",
      from: account(1),
      to: acct.address,
      amount: 10n ** 18n,
      gasLimit: 21_000,
      gasPrice: 1n,
    });
    chain.runOne(token.tx(account(1), "transfer", [acct.address, 1_000_000n]));
    users.push({ address: acct.address, key });
  }
  return { chain, token, users };
}

/** A call of `method` on `contract` with arguments encoded from its metadata. */
export function callOf(contract: Contract, method: string, args: unknown[], value = 0n): Call {
  return { target: contract.address, method, args: encodeCall(contract.meta, method, args), value };
}

export function transferCall(token: Contract, to: Address, amount: bigint): Call {
  return callOf(token, "transfer", [to, amount]);
}

export interface EnvelopeOptions {
  sequence?: bigint;
  key?: bigint;
  chainId?: bigint;
  signer?: Signer;
  /** Builds the authorisation from the signing hash (default: `signer` or the user's key signs it). */
  authorise?: (hash: Uint8Array) => Uint8Array;
  paymaster?: { address: Address; data: Uint8Array };
  gasLimit?: bigint;
  maxFee?: bigint;
  priorityFee?: bigint;
}

/** An envelope from `user` with `calls`, signed by the user's key unless told otherwise. */
export function signed(
  chain: TestChain,
  user: User,
  calls: Call[],
  options: EnvelopeOptions = {},
): Transaction {
  const envelope: TxEnvelope = {
    chainId: options.chainId ?? chain.block.chainId,
    sender: user.address,
    nonceKey: options.key ?? 0n,
    nonceSequence: options.sequence ?? nonceOf(chain, user.address, options.key ?? 0n),
    gasLimit: options.gasLimit ?? 3_000_000n,
    maxFee: options.maxFee ?? 2n,
    priorityFee: options.priorityFee ?? 1n,
    calls,
    ...(options.paymaster === undefined ? {} : { paymaster: options.paymaster }),
    auth: new Uint8Array(0),
  };
  const hash = signingHash(envelope);
  envelope.auth = options.authorise?.(hash) ?? (options.signer ?? user.key).sign(hash);
  return { kind: "account", envelope };
}

export function nonceOf(chain: TestChain, address: Address, key = 0n): bigint {
  const raw = chain.state.get(nonceKey(address, key));
  return raw === undefined ? 0n : new DataView(raw.buffer, raw.byteOffset, 8).getBigUint64(0, true);
}

/**
 * A sponsor paymaster funded with `funds` whose ownership is handed to a user, and the calls
 * by which that user, sponsored by it, accepts it and withdraws its whole balance: the fee
 * hold's worst case (feeSolvency, estimateFeeHold).
 */
export function sponsoredWithdrawal(funds = 10n ** 8n) {
  const { chain, users } = setupAccounts(1);
  const user = users[0] as User;
  const sponsor = chain.deploy("sponsorPaymaster", [10n ** 9n]);
  const ok = (r: { receipt: { status: string } }) => r.receipt.status === "success";
  if (!ok(sponsor.send(account(1), "fund", [], { value: funds }))) throw new Error("fund failed");
  if (!ok(sponsor.send(account(1), "setSponsored", [sponsor.address, true])))
    throw new Error("setSponsored failed");
  if (!ok(sponsor.send(account(1), "setSenderLimit", [100, 10n ** 12n, 3600n])))
    throw new Error("setSenderLimit failed");
  if (!ok(sponsor.send(account(1), "transferOwnership", [user.address])))
    throw new Error("transferOwnership failed");
  const calls = [callOf(sponsor, "acceptOwnership", []), callOf(sponsor, "withdraw", [user.address, funds])];
  const paymaster = { address: sponsor.address, data: new Uint8Array(0) };
  return { chain, user, sponsor, funds, calls, paymaster };
}
