/**
 * The covered-call bot live on a node, as the manager of an option vault (the dev
 * genesis's `coveredCallVault` or `putVault`, managed by development account 0): each look
 * reads the head's time, the vault's round and the oracle's spot, feeds the spot to the
 * volatility estimate, and does what `decide` says (`coveredCall.ts`): wait, or roll (close
 * and start in one transaction, `vaultRollCalls`). On a development chain `postPrice`
 * lets it post the settlement price itself once a round expired (the dev genesis's options
 * oracle belongs to account 0): the WETH/WUSD pool's spot, so a demo rolls without anyone
 * else. `fastForward` (development chains only) moves the clock to the round's expiry
 * before each look, so weekly rounds pass in seconds.
 */

import { options as optionsBinding } from "../../bindings/options.gen.js";
import { optionVault as vaultBinding } from "../../bindings/optionVault.gen.js";
import { oracle as oracleBinding } from "../../bindings/oracle.gen.js";
import { pair as pairBinding } from "../../bindings/pair.gen.js";
import type { Address } from "../../codec/address.js";
import { encodeCall } from "../../codec/metadata.js";
import { ed25519Account, type LocalAccount } from "../client/accounts.js";
import { createClient, type WeftClient } from "../client/client.js";
import { getContract } from "../client/contract.js";
import { devActions } from "../client/dev.js";
import { http } from "../client/http.js";
import { vaultRollCalls } from "../client/options.js";
import type { CallRequest, Receipt } from "../client/types.js";
import { getVaultInfo, type VaultInfo } from "../client/vaultRounds.js";
import { devSigner } from "../devKeys.js";
import { decide, type ManagerDecision, ManagerError } from "./coveredCall.js";
import { VolatilityEstimator, type VolatilityOptions } from "./volatility.js";

const E18 = 10n ** 18n;

export interface LiveCoveredCallOptions {
  url: string;
  /** The vault: `calls` (default) or `puts` of the dev genesis, or an address. */
  vault?: "calls" | "puts" | Address;
  /** The development account that manages the vault (default 0). */
  account?: number;
  volatility?: VolatilityOptions;
  /** Development chains: post the pool's spot on the options oracle once a round expired. */
  postPrice?: boolean;
  /** Development chains: move the clock to the round's expiry before each look. */
  fastForward?: boolean;
}

export interface CoveredCallTick {
  time: bigint;
  spot: bigint;
  round: bigint;
  decision: ManagerDecision;
  /** The price the bot posted (postPrice), if it did. */
  posted?: bigint;
  /** The roll's receipt, and the round it started. */
  receipt?: Receipt;
  started?: bigint;
}

export class LiveCoveredCall {
  readonly estimator: VolatilityEstimator;

  private constructor(
    readonly client: WeftClient,
    readonly options: LiveCoveredCallOptions,
    readonly account: LocalAccount,
    readonly info: VaultInfo,
    readonly oracle: Address,
    readonly quote: Address,
    readonly pool: Address | undefined,
  ) {
    this.estimator = new VolatilityEstimator(options.volatility);
  }

  /** Connects as the dev account that manages the vault (checked), reading the vault's rules. */
  static async connect(options: LiveCoveredCallOptions): Promise<LiveCoveredCall> {
    const client = createClient({ transport: http(options.url) });
    try {
      const genesis = await client.genesis();
      const index = options.account ?? 0;
      const entry = genesis.accounts[index];
      if (entry === undefined)
        throw new ManagerError(
          "NOT_MANAGER",
          `the node has ${genesis.accounts.length} dev accounts, not ${index + 1}`,
        );
      const named = options.vault ?? "calls";
      const vault =
        named === "calls" || named === "puts"
          ? genesis.contracts[named === "calls" ? "coveredCallVault" : "putVault"]
          : named;
      if (vault === undefined) throw new ManagerError("BAD_VAULT", `the genesis has no ${named} vault`);
      let info: VaultInfo;
      try {
        info = await getVaultInfo(client, vault as Address);
      } catch (error) {
        throw new ManagerError("BAD_VAULT", `${vault} is not an option vault`, [String(error)]);
      }
      const account = ed25519Account(devSigner(index).secret, entry.address as Address);
      if (info.manager !== account.address)
        throw new ManagerError(
          "NOT_MANAGER",
          `vault ${info.vault} is managed by ${info.manager}, not dev account ${index} (${account.address})`,
        );
      const o = getContract({ client, address: info.options, binding: optionsBinding });
      const [oracle, quote] = await Promise.all([o.read.oracle(), o.read.quote()]);
      const pool = genesis.contracts.pool as Address | undefined;
      return new LiveCoveredCall(client, options, account, info, oracle, quote, pool);
    } catch (error) {
      await client.close();
      throw error;
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }

  /** The oracle's spot of the underlying in the quote token (× 1e18), and when it was posted. */
  private async oracleSpot(): Promise<{ spot: bigint; updatedAt: bigint }> {
    const o = getContract({ client: this.client, address: this.oracle, binding: oracleBinding });
    const [u, q, updatedAt] = await Promise.all([
      o.read.getPrice(this.info.underlying),
      o.read.getPrice(this.quote),
      o.read.updatedAt(this.info.underlying),
    ]);
    if (q === 0n) throw new ManagerError("BAD_PRICE", "the oracle prices the quote token at 0");
    return { spot: (u * E18) / q, updatedAt };
  }

  /** The pool's spot, quote per underlying × 1e18 (for posting a settlement price on dev chains). */
  private async poolSpot(): Promise<bigint> {
    if (this.pool === undefined)
      throw new ManagerError("BAD_PRICE", "the genesis has no pool to read a price from");
    const p = getContract({ client: this.client, address: this.pool, binding: pairBinding });
    const [token0, reserves] = await Promise.all([p.read.token0(), p.read.getReserves()]);
    const [r0, r1] = reserves as bigint[];
    const [base, quote] = token0 === this.info.underlying ? [r0, r1] : [r1, r0];
    if (base === undefined || quote === undefined || base === 0n)
      throw new ManagerError("BAD_PRICE", "the pool has no reserves");
    return (quote * E18) / base;
  }

  /** One look at the vault, and a roll if it is time. */
  async tick(): Promise<CoveredCallTick> {
    const v = getContract({ client: this.client, address: this.info.vault, binding: vaultBinding });
    if (this.options.fastForward === true) {
      const [active, expiry, head] = await Promise.all([
        v.read.roundActive(),
        v.read.roundExpiry(),
        this.client.getBlock(),
      ]);
      if (active && BigInt(head?.time ?? 0) < expiry) {
        await devActions(this.client).setNextBlockTimestamp(Number(expiry));
        await devActions(this.client).mine(1);
      }
    }
    const [head, round, active, expiry, oracle] = await Promise.all([
      this.client.getBlock(),
      v.read.round(),
      v.read.roundActive(),
      v.read.roundExpiry(),
      this.oracleSpot(),
    ]);
    const now = BigInt(head?.time ?? 0);
    this.estimator.observe(Number(now) * 1000, Number(oracle.spot) / 1e18);
    const view = { now, spot: oracle.spot, round, active, expiry, priceUpdatedAt: oracle.updatedAt };
    let posted: bigint | undefined;
    if (this.options.postPrice === true && active && now >= expiry && oracle.updatedAt < expiry) {
      posted = await this.poolSpot();
      await this.send([
        {
          target: this.oracle,
          method: "setPrice",
          args: encodeCall(oracleBinding.metadata, "setPrice", [
            this.info.underlying,
            (posted * (await this.quotePrice())) / E18,
          ]),
        },
      ]);
      const fresh = await this.oracleSpot();
      view.spot = fresh.spot;
      view.priceUpdatedAt = fresh.updatedAt;
      view.now = BigInt((await this.client.getBlock())?.time ?? 0);
    }
    const decision = decide(view, this.info, this.estimator.estimate());
    const tick: CoveredCallTick = {
      time: view.now,
      spot: view.spot,
      round,
      decision,
      ...(posted === undefined ? {} : { posted }),
    };
    if (decision.action === "roll") {
      tick.receipt = await this.send(vaultRollCalls(this.info.vault, decision.premiumRate));
      tick.started = round + 1n;
    }
    return tick;
  }

  private async quotePrice(): Promise<bigint> {
    return getContract({ client: this.client, address: this.oracle, binding: oracleBinding }).read.getPrice(
      this.quote,
    );
  }

  private send(calls: CallRequest[]): Promise<Receipt> {
    return this.client.sendAndWait({
      account: this.account,
      calls,
      decodeWith: [vaultBinding.metadata, optionsBinding.metadata],
    });
  }
}
