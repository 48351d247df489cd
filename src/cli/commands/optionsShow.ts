/** What `weft options status` and `weft options rounds` print about a vault. */
import type { Address } from "../../codec/address.js";
import {
  getVaultPosition,
  getVaultRound,
  type VaultInfo,
  type VaultRoundRecord,
} from "../../sdk/client/index.js";
import { formatUnits } from "../../sdk/client/units.js";
import type { Context } from "../context.js";
import { utcDateTime, whenFrom } from "../when.js";
import { tokenLabel } from "./optionsArgs.js";

const E18 = 10n ** 18n;

/** A fraction × 1e18 as a percentage with two decimals. */
function percent(rate: bigint): string {
  return `${(Number((rate * 10_000n) / E18) / 100).toFixed(2)}%`;
}

export async function showStatus(ctx: Context, info: VaultInfo, who: Address | undefined): Promise<void> {
  const [round, head, asset, underlying] = await Promise.all([
    getVaultRound(ctx.client, info.vault),
    ctx.client.getBlock(),
    tokenLabel(ctx, info.asset),
    tokenLabel(ctx, info.underlying),
  ]);
  const position = who === undefined ? undefined : await getVaultPosition(ctx.client, info.vault, who);
  const now = BigInt(head?.time ?? 0);
  const a = (v: bigint) => `${formatUnits(v, asset.decimals)} ${asset.symbol}`;
  const kind = info.isPut ? "cash-secured put" : "covered-call";
  ctx.out.result({ ...info, round, ...(position === undefined ? {} : { position }) }, () => [
    `${kind} vault ${info.vault}: asset ${asset.symbol}, manager ${info.manager}`,
    `  strikes ${info.isPut ? "below" : "above"} spot by ${Number(info.otmBps) / 100}% in steps of ${formatUnits(info.strikeStep)}, premium ${percent(info.minPremium)} to ${percent(info.maxPremium)}`,
    round.active
      ? `  round ${round.round}: ${formatUnits(round.unsold, underlying.decimals)} of ${info.isPut ? "puts" : "calls"} unsold at strike ${formatUnits(round.strike)}, expiry ${whenFrom(round.expiry, now)}, premium ${a(round.premium)} an option (series ${round.seriesId})`
      : `  round ${round.round}: no options out (the manager starts the round)`,
    `  queued deposits ${a(round.pendingDeposits)}, total shares ${formatUnits(round.totalShares, asset.decimals)}, share price ${round.lastPricePerShare === 0n ? "not yet priced" : `${a(round.lastPricePerShare)} (round ${round.round - 1n}'s close)`}`,
    ...(position === undefined
      ? []
      : [
          `  ${position.account}: ${formatUnits(position.shares, asset.decimals)} shares, queued deposit ${a(position.queuedDeposit)}, withdrawable ${a(position.withdrawable)}`,
        ]),
  ]);
}

export async function showRounds(ctx: Context, info: VaultInfo, rounds: VaultRoundRecord[]): Promise<void> {
  const [asset, underlying] = await Promise.all([
    tokenLabel(ctx, info.asset),
    tokenLabel(ctx, info.underlying),
  ]);
  const a = (v: bigint) => `${formatUnits(v, asset.decimals)} ${asset.symbol}`;
  const u = (v: bigint) => formatUnits(v, underlying.decimals);
  ctx.out.result({ vault: info.vault, rounds }, () =>
    rounds.length === 0
      ? [`vault ${info.vault} has no rounds`]
      : rounds.map((r) => {
          const options = r.hasSeries
            ? `strike ${formatUnits(r.strike)}, expiry ${utcDateTime(r.expiry)}, ${u(r.sold)} of ${u(r.written)} ${underlying.symbol} sold for ${a(r.premiumCollected)}`
            : "no options";
          const settled = r.settled
            ? `, settled at ${formatUnits(r.settlementPrice)} paying ${a(r.payout)}`
            : "";
          const closed = r.closed ? `, closed at ${a(r.pricePerShare)} a share` : ", open";
          return `round ${r.round}: ${options}${settled}${closed}`;
        }),
  );
}
