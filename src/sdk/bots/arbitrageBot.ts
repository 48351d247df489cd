/**
 * The cross-pool arbitrage bot, live on a node: each tick it reads the dev genesis's two
 * WETH/WUSD pools (`pool`, `pool2`), finds the flash-swap size that maximises profit after
 * both pools' fees (`bestFlashTrade`, the same search the cash-flow report's backtest
 * uses), and when that profit beats the transaction's fee sends one transaction from the
 * development account that owns `flashArbitrage`: `swap` on the cheap pool, lending the WETH
 * to the contract, which sells it in the dear pool, repays and sends the profit to the
 * account (contracts/src/flashArbitrage). No capital is needed beyond the coin for gas.
 */
import { encodeAbi } from "../../codec/abi.js";
import type { Address } from "../../codec/address.js";
import { getAmountIn } from "../amm.js";
import { rpc } from "../rpcClient.js";
import { bestFlashTrade } from "../strategies/arbitrage.js";
import { LiveMarket, type LiveMarketOptions, type ReceiptJson, viewCall } from "./liveMarket.js";
import type { Reserves } from "./types.js";

export interface ArbitrageTick {
  /** The pools' prices (WUSD per WETH) when read. */
  prices: { pool: number; pool2: number };
  /** Nothing sent: the best profit did not beat the fee. */
  skipped?: string;
  cheap?: "pool" | "pool2";
  size?: bigint;
  /** The profit the SDK expected, WUSD units. */
  expected?: bigint;
  /** WUSD the account received, from its balance before and after. */
  profit?: bigint;
  receipt?: ReceiptJson;
}

export class LiveArbitrage {
  private constructor(
    readonly market: LiveMarket,
    readonly pool2: Address,
    readonly contract: Address,
  ) {}

  /** Connects as the dev account that owns the genesis's `flashArbitrage` (account 0). */
  static async connect(options: Omit<LiveMarketOptions, "account" | "exchange"> & { account?: number }) {
    const market = await LiveMarket.connect({ ...options, account: options.account ?? 0 });
    const genesis = await rpc<{ contracts: Record<string, Address> }>(options.url, "weft_genesis");
    const { pool2, flashArbitrage } = genesis.contracts;
    if (pool2 === undefined || flashArbitrage === undefined)
      throw new Error("the genesis has no second pool and flashArbitrage (a development chain has them)");
    const [owner] = await viewCall(options.url, flashArbitrage, "owner", [], [], ["address"]);
    if (owner !== market.address)
      throw new Error(
        `flashArbitrage belongs to ${owner}, not to dev account ${options.account ?? 0} (${market.address})`,
      );
    return new LiveArbitrage(market, pool2, flashArbitrage);
  }

  private async reservesOf(pool: Address): Promise<Reserves> {
    const [pair] = await viewCall(this.market.options.url, pool, "getReserves", [], [], ["u128[]"]);
    const [r0, r1] = pair as [bigint, bigint];
    const baseIs0 = this.market.base.toLowerCase() < this.market.quote.toLowerCase();
    return baseIs0 ? { base: r0, quote: r1 } : { base: r1, quote: r0 };
  }

  private async quoteBalance(): Promise<bigint> {
    const [b] = await viewCall(
      this.market.options.url,
      this.market.quote,
      "balanceOf",
      ["address"],
      [this.market.address],
      ["u128"],
    );
    return b as bigint;
  }

  /** One look at both pools, and one arbitrage if it pays. */
  async tick(): Promise<ArbitrageTick> {
    const [a, b, head] = await Promise.all([
      this.reservesOf(this.market.pool),
      this.reservesOf(this.pool2),
      this.market.head(),
    ]);
    const price = (r: Reserves) => Number(r.quote) / Number(r.base);
    const prices = { pool: price(a), pool2: price(b) };
    const cheapIsA = prices.pool < prices.pool2;
    const [cheap, dear] = cheapIsA ? [a, b] : [b, a];
    const best = bestFlashTrade(cheap, dear);
    // Coin and WUSD are both $1 on the dev chain: the fee's worst case in WUSD units.
    const fee = 1_500_000n * (2n * head.baseFee + (this.market.options.priorityFee ?? 1n));
    if (best.size === 0n || best.profit <= fee)
      return { prices, skipped: `best profit ${best.profit} does not beat the fee ${fee}` };
    const repay = getAmountIn(best.size, cheap.quote, cheap.base);
    const baseIs0 = this.market.base.toLowerCase() < this.market.quote.toLowerCase();
    const [cheapPool, dearPool] = cheapIsA ? [this.market.pool, this.pool2] : [this.pool2, this.market.pool];
    const before = await this.quoteBalance();
    const receipt = await this.market.send(
      [
        {
          target: cheapPool,
          method: "swap",
          args: encodeAbi(
            ["u128", "u128", "address", "bytes"],
            [
              baseIs0 ? best.size : 0n,
              baseIs0 ? 0n : best.size,
              this.contract,
              encodeAbi(["address", "u128", "u128"], [dearPool, repay, fee]),
            ],
          ),
          value: 0n,
        },
      ],
      head,
    );
    return {
      prices,
      cheap: cheapIsA ? "pool" : "pool2",
      size: best.size,
      expected: best.profit,
      profit: (await this.quoteBalance()) - before,
      receipt,
    };
  }
}
