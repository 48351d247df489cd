/**
 * A market on a running Weft node: the genesis WETH/WUSD pool (base WETH, quote WUSD),
 * traded through the router from an ed25519 smart account. Reads go through `weft_call`
 * (the pair's `getReserves`, the tokens' `balanceOf`/`allowance`) and `weft_getAccount`
 * (coin); orders are signed v1 transactions (`swapExactTokensForTokens` to sell,
 * `swapTokensForExactTokens` to buy) sent with `weft_sendRawTransaction`, and a fill is
 * read from the receipt (the router returns the amounts; the fee is the gas paid).
 *
 * `prepare()` approves the router on both tokens once (one transaction with two calls).
 * A dev account's key is derived as the node derives it: sha256("weft dev account <i>").
 */
import { encodeTx, signingHash, type TxEnvelope } from "../../chain/tx/envelope.js";
import { decodeAbi, decodeErrorName, encodeAbi } from "../../codec/abi.js";
import type { Address } from "../../codec/address.js";
import { fromHex, toHex, utf8 } from "../../codec/bytes.js";
import { sha256 } from "../../codec/hash.js";
import { AmmError } from "../amm.js";
import { RpcCallError, rpc, waitForReceipt } from "../rpcClient.js";
import { ed25519Signer } from "../signers.js";
import { priceMoveOrder, quoteFor, spot, swapFeeQuote } from "./pool.js";
import type { Execution, Holdings, Market, MarketSnapshot, Order, Reserves } from "./types.js";

const MAX_U128 = (1n << 128n) - 1n;
/** An allowance at least this large is treated as unlimited. */
const ENOUGH_ALLOWANCE = 1n << 120n;

interface GenesisJson {
  chainId: string;
  contracts: Record<string, Address>;
  accounts: Array<{ address: Address; kind: string; publicKey: string }>;
}

export interface ReceiptJson {
  txHash: string;
  blockNumber: number;
  status: "success" | "revert" | "outOfGas" | "invalid";
  gasUsed: number;
  fee: string;
  output: string;
}

export interface LiveMarketOptions {
  url: string;
  /** Dev account index: the key is sha256("weft dev account <i>"), the address the genesis lists. */
  account: number;
  /** Minimum time between ticks (default 1,000 ms). */
  tickMs?: number;
  /** Stop after this many ticks... */
  ticks?: number;
  /** ...or after this long (ms) since `connect`. */
  durationMs?: number;
  /** Which exchange's WETH/WUSD pool: the genesis's main one (1, default) or the dev genesis's second (2: `router2`, `pool2`). */
  exchange?: 1 | 2;
  /** Worst amount accepted relative to the quote from the reserves just before sending (default 0.01). */
  slippage?: number;
  gasLimit?: bigint;
  /** Fees per gas: the node charges min(maxFee, base fee + priorityFee) per gas. */
  maxFee?: bigint;
  priorityFee?: bigint;
  receiptTimeoutMs?: number;
}

/** The ed25519 key of dev account `i`, derived as the node's genesis derives it. */
export function devAccountSigner(i: number) {
  return ed25519Signer(sha256(utf8(`weft dev account ${i}`)));
}

const hex = (b: Uint8Array) => `0x${toHex(b)}`;
const unhex = (s: string) => fromHex(s.startsWith("0x") ? s.slice(2) : s);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class LiveMarket implements Market {
  readonly kind = "live";
  private step = 0;
  private lastTick = 0;
  private readonly started = Date.now();
  private nonce = 0n;
  /** Transactions sent (approvals included). */
  sent = 0;

  private constructor(
    readonly options: LiveMarketOptions,
    readonly chainId: bigint,
    readonly address: Address,
    readonly base: Address,
    readonly quote: Address,
    readonly router: Address,
    readonly pool: Address,
    private readonly baseIsToken0: boolean,
    private readonly signer: ReturnType<typeof ed25519Signer>,
  ) {}

  /** Reads the genesis (contracts, the dev account), checks the key, and fetches the account's nonce. */
  static async connect(options: LiveMarketOptions): Promise<LiveMarket> {
    const genesis = await rpc<GenesisJson>(options.url, "weft_genesis");
    const account = genesis.accounts[options.account];
    if (account === undefined)
      throw new Error(
        `the node has ${genesis.accounts.length} dev accounts; there is no account ${options.account}`,
      );
    const signer = devAccountSigner(options.account);
    if (account.publicKey.replace(/^0x/, "") !== toHex(signer.publicKey))
      throw new Error(`dev account ${options.account}'s key is not the derived dev key (not a dev chain?)`);
    const second = options.exchange === 2;
    const { weth, wusd } = genesis.contracts;
    const router = genesis.contracts[second ? "router2" : "router"];
    const pool = genesis.contracts[second ? "pool2" : "pool"];
    if (weth === undefined || wusd === undefined || router === undefined || pool === undefined)
      throw new Error(
        `the genesis has no WETH/WUSD ${second ? "second pool and router (pool2, router2)" : "pool and router"}`,
      );
    const token0 = (await viewCall(options.url, pool, "token0", [], [], ["address"]))[0] as Address;
    const market = new LiveMarket(
      options,
      BigInt(genesis.chainId),
      account.address,
      weth,
      wusd,
      router,
      pool,
      token0 === weth,
      signer,
    );
    await market.syncNonce();
    return market;
  }

  private async syncNonce(): Promise<void> {
    this.nonce = BigInt(await rpc<string>(this.options.url, "weft_nextNonce", [this.address]));
  }

  async reserves(): Promise<Reserves> {
    const [pair] = await viewCall(this.options.url, this.pool, "getReserves", [], [], ["u128[]"]);
    const [r0, r1] = pair as [bigint, bigint];
    return this.baseIsToken0 ? { base: r0, quote: r1 } : { base: r1, quote: r0 };
  }

  async holdings(): Promise<Holdings> {
    const balance = async (token: Address) =>
      (
        await viewCall(this.options.url, token, "balanceOf", ["address"], [this.address], ["u128"])
      )[0] as bigint;
    const [base, quote, account] = await Promise.all([
      balance(this.base),
      balance(this.quote),
      rpc<{ balance: string }>(this.options.url, "weft_getAccount", [this.address]),
    ]);
    return { base, quote, coin: BigInt(account.balance) };
  }

  async snapshot(): Promise<MarketSnapshot> {
    const [reserves, holdings] = await Promise.all([this.reserves(), this.holdings()]);
    return { step: this.step, time: Date.now(), price: spot(reserves), reserves, holdings };
  }

  async advance(): Promise<boolean> {
    const { ticks, durationMs } = this.options;
    if (ticks !== undefined && this.step + 1 >= ticks) return false;
    const wait = this.lastTick + (this.options.tickMs ?? 1_000) - Date.now();
    if (durationMs !== undefined && Date.now() + Math.max(0, wait) - this.started >= durationMs) return false;
    if (wait > 0) await sleep(wait);
    this.lastTick = Date.now();
    this.step++;
    return true;
  }

  /** Approves the router on both tokens if it is not yet; returns the gas fee paid (coin). */
  async prepare(): Promise<bigint> {
    const calls = [];
    for (const token of [this.base, this.quote]) {
      const [allowed] = await viewCall(
        this.options.url,
        token,
        "allowance",
        ["address", "address"],
        [this.address, this.router],
        ["u128"],
      );
      if ((allowed as bigint) < ENOUGH_ALLOWANCE)
        calls.push({
          target: token,
          method: "approve",
          args: encodeAbi(["address", "u128"], [this.router, MAX_U128]),
          value: 0n,
        });
    }
    if (calls.length === 0) return 0n;
    const receipt = await this.send(calls);
    if (receipt.status !== "success") throw new Error(`approving the router failed: ${receipt.status}`);
    return BigInt(receipt.fee);
  }

  async execute(order: Order): Promise<Execution> {
    const reject = (reason: string, gasFeeCoin = 0n, txHash?: string): Execution => ({
      status: "rejected",
      order,
      reason,
      gasFeeCoin,
      ...(txHash === undefined ? {} : { txHash }),
    });
    const [before, head] = await Promise.all([this.reserves(), this.head()]);
    let expected: bigint;
    try {
      expected = quoteFor(order, before);
    } catch (error) {
      if (error instanceof AmmError) return reject(error.message);
      throw error;
    }
    const slippageBps = BigInt(Math.round((this.options.slippage ?? 0.01) * 10_000));
    const deadline = BigInt(Math.max(head.time, Math.floor(Date.now() / 1000)) + 600);
    const swap =
      order.side === "sell"
        ? {
            method: "swapExactTokensForTokens",
            values: [
              order.baseAmount,
              (expected * (10_000n - slippageBps)) / 10_000n,
              [this.base, this.quote],
              this.address,
              deadline,
            ],
          }
        : {
            method: "swapTokensForExactTokens",
            values: [
              order.baseAmount,
              (expected * (10_000n + slippageBps)) / 10_000n,
              [this.quote, this.base],
              this.address,
              deadline,
            ],
          };
    let receipt: ReceiptJson;
    try {
      receipt = await this.send(
        [
          {
            target: this.router,
            method: swap.method,
            args: encodeAbi(["u128", "u128", "address[]", "address", "u64"], swap.values),
            value: 0n,
          },
        ],
        head,
      );
    } catch (error) {
      if (error instanceof RpcCallError || error instanceof ReceiptTimeout) return reject(error.message);
      throw error;
    }
    const fee = BigInt(receipt.fee);
    if (receipt.status !== "success")
      return reject(`${receipt.status}: ${errorName(receipt.output)}`, fee, receipt.txHash);
    const [amounts] = decodeAbi(["u128[]"], unhex(receipt.output)) as [bigint[]];
    const quoteAmount = (order.side === "sell" ? amounts[1] : amounts[0]) as bigint;
    return {
      status: "filled",
      fill: {
        step: this.step,
        side: order.side,
        baseAmount: order.baseAmount,
        quoteAmount,
        price: Number(quoteAmount) / Number(order.baseAmount),
        swapFeeQuote: swapFeeQuote(order, quoteAmount, before),
        gasFeeCoin: fee,
        txHash: receipt.txHash,
        ...(order.levels === undefined ? {} : { levels: order.levels }),
      },
    };
  }

  /**
   * Moves the pool's price to `target` with this account's own swap (what an arbitrageur
   * does when the outside price moves); used to drive demos and tests.
   */
  async moveTo(target: number): Promise<Execution | undefined> {
    const order = priceMoveOrder(await this.reserves(), target);
    return order === undefined ? undefined : this.execute(order);
  }

  /** The head block's time and base fee (0 on a chain without one). */
  async head(): Promise<{ time: number; baseFee: bigint }> {
    const block = await rpc<{ time: number; baseFee?: string }>(this.options.url, "weft_getBlockByNumber", [
      "latest",
    ]);
    return { time: block.time, baseFee: BigInt(block.baseFee ?? 0) };
  }

  /**
   * Signs and sends one transaction with `calls` from the account; waits for its receipt.
   * Without a configured max fee it offers twice the head's base fee plus the priority fee
   * (the price paid is the base fee of its block plus the priority fee).
   */
  async send(calls: TxEnvelope["calls"], head?: { baseFee: bigint }): Promise<ReceiptJson> {
    const priorityFee = this.options.priorityFee ?? 1n;
    const baseFee = (head ?? (await this.head())).baseFee;
    const env: TxEnvelope = {
      chainId: this.chainId,
      sender: this.address,
      nonceKey: 0n,
      nonceSequence: this.nonce,
      gasLimit: this.options.gasLimit ?? 10_000_000n,
      maxFee: this.options.maxFee ?? 2n * baseFee + priorityFee + 9n,
      priorityFee,
      calls,
      auth: new Uint8Array(0),
    };
    env.auth = this.signer.sign(signingHash(env));
    let hash: string;
    try {
      ({ hash } = await rpc<{ hash: string }>(this.options.url, "weft_sendRawTransaction", [
        hex(encodeTx(env)),
      ]));
    } catch (error) {
      await this.syncNonce();
      throw error;
    }
    this.nonce++;
    this.sent++;
    try {
      return await waitForReceipt<ReceiptJson>(
        this.options.url,
        hash,
        this.options.receiptTimeoutMs ?? 20_000,
      );
    } catch {
      // Dropped (e.g. invalid at execution): no receipt, no fee; the nonce may not have moved.
      await this.syncNonce();
      throw new ReceiptTimeout(`no receipt for ${hash}`);
    }
  }
}

class ReceiptTimeout extends Error {
  override name = "ReceiptTimeout";
}

function errorName(output: string): string {
  try {
    return decodeErrorName(unhex(output)).name;
  } catch {
    return output.length > 2 ? output : "no reason";
  }
}

/** A read-only call through `weft_call`, decoded; throws if the call does not succeed. */
export async function viewCall(
  url: string,
  to: Address,
  method: string,
  argTypes: string[],
  args: unknown[],
  outTypes: string[],
): Promise<unknown[]> {
  const result = await rpc<{ status: string; output: string }>(url, "weft_call", [
    { to, method, args: hex(encodeAbi(argTypes, args)) },
  ]);
  if (result.status !== "success")
    throw new Error(`${method} on ${to} failed: ${result.status} ${errorName(result.output)}`);
  return decodeAbi(outTypes, unhex(result.output));
}
