/**
 * `weft validator rewards` and `weft validator claim`: a delegator's (or a validator's own)
 * rewards and commission in the staking contract, and claiming them (src/cli/validatorRewards.ts
 * says how the contract keeps them). A claim of several validators is one transaction of up to
 * `MAX_CALLS` `claimRewards` calls, the largest first.
 */
import type { Command } from "commander";
import { stakingMetadata } from "../../bindings/staking.gen.js";
import { MAX_CALLS } from "../../chain/tx/envelope.js";
import type { Address } from "../../codec/address.js";
import { encodeCall } from "../../codec/metadata.js";
import { formatUnits } from "../../sdk/client/units.js";
import { accountOf } from "../accountNames.js";
import { accountFor, contextOf } from "../context.js";
import { contractBook } from "../knownContracts.js";
import { UsageError } from "../output.js";
import { explainReverts } from "../readableReverts.js";
import { decodeReceipt } from "../receipts.js";
import { type StakingOptions, signer, stakingAddress, validatorAddress } from "../stakingOptions.js";
import { stakingRevertHelp } from "../stakingReverts.js";
import { type Rewards, readRewards } from "../validatorRewards.js";

const percent = (bps: number) => `${bps / 100}%`;

/** The rewards as JSON: amounts as decimal strings of the smallest unit. */
function rewardsJson(r: Rewards) {
  return {
    delegator: r.delegator,
    ownCommissionBps: r.ownCommissionBps,
    settled: r.settled.toString(),
    total: r.total.toString(),
    validators: r.rows.map((row) => ({
      validator: row.validator,
      stake: row.stake.toString(),
      commissionBps: row.commissionBps,
      rewards: row.rewards.toString(),
    })),
  };
}

/** `weft validator rewards`'s text. */
export function rewardsText(r: Rewards): string[] {
  const lines = [`rewards of ${r.delegator}`];
  if (r.rows.length > 0) {
    const header = ["validator", "delegated", "commission", "rewards"];
    const body = r.rows.map((row) => [
      row.validator,
      formatUnits(row.stake),
      percent(row.commissionBps),
      formatUnits(row.rewards),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
    const line = (cells: string[]) =>
      cells
        .map((c, i) => c.padEnd(widths[i] as number))
        .join("  ")
        .trimEnd();
    lines.push(line(header), ...body.map(line));
  } else lines.push("no delegations");
  lines.push(
    r.ownCommissionBps === null
      ? `settled (paid by any claim): ${formatUnits(r.settled)}`
      : `settled, with the commission earned as a validator (${percent(r.ownCommissionBps)}; paid by any claim): ${formatUnits(r.settled)}`,
    `total: ${formatUnits(r.total)} coin${r.total > 0n ? " (weft validator claim --from … pays it)" : ""}`,
  );
  return lines;
}

export function addRewardCommands(validator: Command): void {
  validator
    .command("rewards")
    .description(
      "rewards and commission waiting in the staking contract: a delegator's per validator, or a validator's own",
    )
    .option("--delegator <who>", "whose rewards: devN, ethN or an address (default: the --validator itself)")
    .option("--validator <who>", "only the rewards from this validator (devN or an address)")
    .option("--staking <address>", "the staking contract (default: the genesis's staking contract)")
    .action(async (opts: { delegator?: string; validator?: string; staking?: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      if (opts.delegator === undefined && opts.validator === undefined)
        throw new UsageError(
          "whose rewards? pass --delegator <devN | address> or --validator <devN | address>",
          ["--validator alone shows the validator's own: its self-delegation's rewards and its commission"],
        );
      const only =
        opts.validator === undefined ? undefined : await accountOf(ctx, opts.validator, "--validator");
      const delegator =
        opts.delegator === undefined
          ? (only as Address)
          : await accountOf(ctx, opts.delegator, "--delegator");
      const rewards = await readRewards(ctx.client, await stakingAddress(ctx, opts), delegator, only);
      ctx.out.result(rewardsJson(rewards), () => rewardsText(rewards));
    });

  signer(
    validator
      .command("claim [validator]")
      .description(
        "pay the signer its rewards and commission: from one validator, or (none named) from every validator it has rewards with, in one transaction",
      ),
  ).action(async (at: string | undefined, opts: StakingOptions, cmd: Command) => {
    const ctx = contextOf(cmd);
    const only = at === undefined ? undefined : validatorAddress(at);
    const staking = await stakingAddress(ctx, opts);
    const account = await accountFor(ctx, opts);
    const me = account.address.toLowerCase() as Address;
    const rewards = await readRewards(ctx.client, staking, me, only);
    const due = rewards.rows.filter((r) => r.rewards > 0n).sort((a, b) => (a.rewards > b.rewards ? -1 : 1));
    if (rewards.total === 0n) {
      ctx.out.result({ ...rewardsJson(rewards), claimed: "0", txHash: null }, () => [
        `nothing to claim for ${me}${only === undefined ? "" : ` from ${only}`}: nothing was sent`,
      ]);
      return;
    }
    // Settled rewards alone are paid by a claim of any validator: its own, else one it delegates to.
    const targets =
      due.length > 0
        ? due.slice(0, MAX_CALLS).map((r) => r.validator)
        : [only ?? (rewards.ownCommissionBps !== null ? me : (rewards.rows[0]?.validator ?? me))];
    const left = due.length - Math.min(due.length, MAX_CALLS);
    const calls = targets.map((v) => ({
      target: staking,
      method: "claimRewards",
      args: encodeCall(stakingMetadata, "claimRewards", [v]),
    }));
    const done = ctx.out.progress("staking.claimRewards");
    try {
      const receipt = await explainReverts(ctx, stakingRevertHelp(me), () =>
        ctx.client.sendAndWait({ account, calls, decodeWith: [stakingMetadata] }),
      );
      const decoded = await decodeReceipt(contractBook(ctx.client), receipt);
      done();
      const claimed = decoded.events
        .filter((e) => e.event === "RewardsClaimed" && String(e.args.delegator).toLowerCase() === me)
        .reduce((sum, e) => sum + BigInt(e.args.amount as bigint | string), 0n);
      ctx.out.result(
        {
          ...rewardsJson(rewards),
          claimed: claimed.toString(),
          claimedFrom: targets,
          left,
          receipt: decoded,
        },
        () => [
          `claimed ${formatUnits(claimed)} coin for ${me} from ${targets.length === 1 ? targets[0] : `${targets.length} validators`}: ${decoded.status}`,
          ...(left > 0 ? [`${left} more validators have rewards for you: run it again`] : []),
          `transaction ${decoded.txHash} in block ${decoded.blockNumber}`,
        ],
      );
    } finally {
      done();
    }
  });
}
