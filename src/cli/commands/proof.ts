/** `weft proof`: fetch a state value with its Merkle proof and verify it locally against the block. */
import type { Command } from "commander";
import type { Address } from "../../codec/address.js";
import { leToUint, toHex } from "../../codec/bytes.js";
import { formatUnits, getVerifiedStorage, getVerifiedValue } from "../../sdk/client/index.js";
import { SPACE_BALANCE, SPACE_CODE_HASH, SPACE_NONCE } from "../../state/keys.js";
import { contextOf } from "../context.js";
import { UsageError } from "../output.js";

/**
 * What a state value means, by the key's space (src/state/keys.ts): a coin balance or a
 * nonce as a number (absent = 0), a code hash as hex. Storage slots are the contract's own
 * bytes and stay raw (undefined).
 */
export function meaningOf(
  key: string,
  value: Uint8Array | undefined,
): { json: Record<string, unknown>; line: string; encoding: string } | undefined {
  const space = key.slice(0, 2);
  if (space === SPACE_BALANCE && key.length === 42) {
    const balance = value === undefined ? 0n : leToUint(value);
    return {
      json: { balance },
      line: `balance      ${formatUnits(balance)} coin (${balance} smallest units)`,
      encoding: "u128 little-endian",
    };
  }
  if (space === SPACE_NONCE && key.length === 58) {
    const nonce = value === undefined ? 0n : leToUint(value);
    return { json: { nonce }, line: `nonce        ${nonce}`, encoding: "u64 little-endian" };
  }
  if (space === SPACE_CODE_HASH && key.length === 42 && value !== undefined)
    return {
      json: { codeHash: `0x${toHex(value)}` },
      line: `code hash    0x${toHex(value)}`,
      encoding: "keccak256",
    };
  return undefined;
}

export function addProofCommand(program: Command): void {
  program
    .command("proof <target>")
    .description(
      "print a state value proven against the head's state root: an address's coin balance (decoded), a contract's storage slot (--slot), or any raw state key (--key)",
    )
    .option("--slot <hex>", "a storage slot of the contract at <target> (its raw key, 0x hex)")
    .option("--key", "<target> is a raw state key (hex)")
    .action(async (targetText: string, opts: { slot?: string; key?: boolean }, cmd: Command) => {
      const ctx = contextOf(cmd);
      let verified: Awaited<ReturnType<typeof getVerifiedValue>>;
      if (opts.key === true) verified = await getVerifiedValue(ctx.client, targetText.replace(/^0x/, ""));
      else {
        if (!/^0x[0-9a-fA-F]{40}$/.test(targetText))
          throw new UsageError(`expected an address, got ${targetText}`);
        const address = targetText.toLowerCase() as Address;
        verified =
          opts.slot === undefined
            ? await getVerifiedValue(ctx.client, `01${address.slice(2)}`)
            : await getVerifiedStorage(ctx.client, address, opts.slot as `0x${string}`);
      }
      const value = verified.value === undefined ? null : `0x${Buffer.from(verified.value).toString("hex")}`;
      const meaning = meaningOf(verified.key, verified.value);
      ctx.out.result({ ...verified, value, ...meaning?.json, verified: true }, () => [
        `key          ${verified.key}`,
        ...(meaning === undefined ? [] : [meaning.line]),
        `value        ${value === null ? "(absent: proven absent)" : `${value}${meaning === undefined ? "" : ` (${meaning.encoding})`}`}`,
        `block        ${verified.blockNumber}${verified.blockHash ? ` (${verified.blockHash})` : ""}`,
        `state root   ${verified.stateRoot}`,
        "verified     yes: the Merkle proof matches the state root, and that root matches the block header",
      ]);
    });
}
