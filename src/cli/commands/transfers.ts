/** `weft send` (coin) and `weft transfer` (tokens). */
import type { Command } from "commander";
import { encodeAbi } from "../../codec/abi.js";
import type { Address } from "../../codec/address.js";
import { decodeReturn } from "../../codec/metadata.js";
import { estimateGasLimit, formatUnits } from "../../sdk/client/index.js";
import { amountOf, contextOf, signerFor } from "../context.js";
import { ethDevAccount, sendFromEoa } from "../ethDev.js";
import { contractBook } from "../knownContracts.js";
import { InsufficientFundsError, UsageError } from "../output.js";
import { decodeReceipt, printReceipt } from "../receipts.js";

function address(text: string, what: string): Address {
  if (!/^0x[0-9a-fA-F]{40}$/.test(text))
    throw new UsageError(`${what}: expected an address (0x + 40 hex), got ${text}`);
  return text.toLowerCase() as Address;
}

export function addTransferCommands(program: Command): void {
  program
    .command("send <to> <amount>")
    .description("send coin (amount in coin, 18 decimals; --raw for smallest units)")
    .requiredOption("--from <who>", "devN, ethN (an Ethereum dev account) or a key name")
    .option("--raw", "the amount is in smallest units")
    .action(async (to: string, amount: string, opts: { from: string; raw?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const value = amountOf(amount, 18, opts.raw === true);
      const target = address(to, "to");
      const eoa = ethDevAccount(opts.from);
      if (eoa !== undefined) {
        const done = ctx.out.progress("sending");
        try {
          const receipt = await sendFromEoa(ctx, eoa, { target, method: "", value });
          const decoded = await decodeReceipt(contractBook(ctx.client), receipt);
          done();
          printReceipt(ctx, decoded, `sent ${formatUnits(value)} coin to ${to}`);
        } finally {
          done();
        }
        return;
      }
      const account = await signerFor(ctx, opts.from);
      const done = ctx.out.progress("sending");
      try {
        // The estimate is of the send itself, so that its errors name the real amount; only a
        // send beyond the balance is estimated with 0 (the fee does not depend on the amount),
        // to explain it in coin (balance, amount, fee) before it fails.
        const [fees, sender] = await Promise.all([
          ctx.client.estimateFees(),
          ctx.client.getAccount(account.address),
        ]);
        const estimated = sender.balance >= value ? value : 0n;
        const gasLimit = await estimateGasLimit(ctx.client, {
          account,
          calls: [{ target, method: "", value: estimated }],
        });
        const fee = gasLimit * fees.maxFee;
        if (sender.balance < value + fee)
          throw new InsufficientFundsError(
            `insufficient funds: ${opts.from} holds ${formatUnits(sender.balance)} coin; sending ${formatUnits(value)} coin with a fee of up to ${formatUnits(fee)} coin needs ${formatUnits(value + fee)} coin`,
            [
              `sender: ${account.address}`,
              `balance: ${formatUnits(sender.balance)} coin`,
              `amount: ${formatUnits(value)} coin`,
              `fee: up to ${formatUnits(fee)} coin (gas limit ${gasLimit} × max fee ${fees.maxFee})`,
              `short by: ${formatUnits(value + fee - sender.balance)} coin`,
            ],
          );
        const receipt = await ctx.client.sendAndWait({
          account,
          calls: [{ target, method: "", value }],
          gasLimit,
          maxFee: fees.maxFee,
        });
        const decoded = await decodeReceipt(contractBook(ctx.client), receipt);
        done();
        printReceipt(ctx, decoded, `sent ${formatUnits(value)} coin to ${to}`);
      } finally {
        done();
      }
    });
  program
    .command("transfer <token> <to> <amount>")
    .description(
      "transfer tokens: <token> is wusd, weth or a token address; amount in whole tokens (--raw: smallest units)",
    )
    .requiredOption("--from <who>", "devN, ethN (an Ethereum dev account) or a key name")
    .option("--raw", "the amount is in smallest units")
    .action(
      async (
        token: string,
        to: string,
        amount: string,
        opts: { from: string; raw?: boolean },
        cmd: Command,
      ) => {
        const ctx = contextOf(cmd);
        const book = contractBook(ctx.client);
        const { address: at, metadata: meta } = await book.resolve(token, "token");
        const d = await ctx.client.call({ to: at, method: "decimals", args: new Uint8Array(0) });
        if (d.status !== "success") throw new UsageError(`${at} does not answer decimals(): is it a token?`);
        const decimals = Number(decodeReturn(meta, "decimals", Buffer.from(d.output.slice(2), "hex")));
        const value = amountOf(amount, decimals, opts.raw === true);
        const args = encodeAbi(["address", "u128"], [address(to, "to"), value]);
        const eoa = ethDevAccount(opts.from);
        const account = eoa === undefined ? await signerFor(ctx, opts.from) : undefined;
        const done = ctx.out.progress("transferring");
        try {
          const receipt =
            eoa !== undefined
              ? await sendFromEoa(ctx, eoa, { target: at, method: "transfer", args, decodeWith: [meta] })
              : await ctx.client.sendAndWait({
                  account: account as NonNullable<typeof account>,
                  calls: [{ target: at, method: "transfer", args }],
                  decodeWith: [meta],
                });
          const decoded = await decodeReceipt(book, receipt, { metadata: meta, method: "transfer" });
          done();
          printReceipt(ctx, decoded, `transferred ${formatUnits(value, decimals)} of ${token} to ${to}`);
        } finally {
          done();
        }
      },
    );
}
