/** How `weft options` signs and sends: the signer options, and a send that prints the decoded receipt. */
import type { Command } from "commander";
import { optionsMetadata } from "../../bindings/options.gen.js";
import { optionVaultMetadata } from "../../bindings/optionVault.gen.js";
import { oracleMetadata } from "../../bindings/oracle.gen.js";
import type { ContractMetadata } from "../../codec/metadata.js";
import type { CallRequest } from "../../sdk/client/index.js";
import { signerOptions } from "../accountNames.js";
import { accountFor, type Context, type SignerOptions } from "../context.js";
import { contractBook } from "../knownContracts.js";
import { explainReverts } from "../readableReverts.js";
import { type DecodedReceipt, decodeReceipt, printReceipt } from "../receipts.js";
import type { Unit } from "../tokenAmounts.js";

export type Opts = SignerOptions & { options?: string; raw?: boolean };

export function signer(cmd: Command): Command {
  return signerOptions(cmd).option("--raw", "amounts are in smallest units");
}

/**
 * Sends `calls` signed as `opts` says and prints the receipt under `summary(the call's
 * decoded result, the receipt)`. A revert is explained (readableReverts.ts): a token
 * transfer the sender's balance cannot cover as "insufficient balance", the revert's
 * arguments named in `units` in those tokens.
 */
export async function send(
  ctx: Context,
  opts: Opts,
  calls: CallRequest[],
  call: { metadata: ContractMetadata; method: string },
  summary: (result: unknown, receipt: DecodedReceipt) => string,
  units: Record<string, Unit> = {},
): Promise<void> {
  const account = await accountFor(ctx, opts);
  const done = ctx.out.progress(call.method);
  try {
    // The called contract's errors first: a revert names its error, not its contract, and
    // the options contract and the vaults share names such as TransferFailed.
    const others = [optionsMetadata, optionVaultMetadata, oracleMetadata].filter(
      (m) => m.name !== call.metadata.name,
    );
    const receipt = await explainReverts(ctx, { sender: account.address, units: () => units }, () =>
      ctx.client.sendAndWait({ account, calls, decodeWith: [call.metadata, ...others] }),
    );
    const decoded = await decodeReceipt(contractBook(ctx.client), receipt, call);
    done();
    printReceipt(ctx, decoded, summary(decoded.result, decoded));
  } finally {
    done();
  }
}

export const vaultCall = (method: string) => ({ metadata: optionVaultMetadata, method });
export const optionsCall = (method: string) => ({ metadata: optionsMetadata, method });
