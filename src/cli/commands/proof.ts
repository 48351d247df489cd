/**
 * `weft proof`: fetch a state value with its Merkle proof and verify it locally against the
 * block. On a validator network with `--genesis <file>`, the block's header is also checked
 * against its commit certificate and the genesis validator set (the SDK's light client,
 * `sdk/client/lightClient.ts`); without it, or on a single dev node (no certificates), the
 * output says the header is trusted from the node.
 */
import type { Command } from "commander";
import type { Address } from "../../codec/address.js";
import { leToUint, toHex } from "../../codec/bytes.js";
import {
  formatUnits,
  getVerifiedStorage,
  getVerifiedValue,
  RpcRequestError,
  type WeftClient,
} from "../../sdk/client/index.js";
import {
  type CertificateView,
  type CertifiedHeader,
  genesisValidators,
  LightClientError,
  verifyCertifiedHeader,
} from "../../sdk/client/lightClient.js";
import { SPACE_BALANCE, SPACE_CODE_HASH, SPACE_NONCE } from "../../state/keys.js";
import { readBoundedText } from "../boundedRead.js";
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

/** The answer's code when a chain is no validator network (`node/api/validatorMethods.ts`). */
const NOT_A_NETWORK = -32080;

/** Block `n`'s certificate view, or "none" on a chain that is no validator network. */
async function certificateOf(client: WeftClient, n: number): Promise<CertificateView | null | "none"> {
  try {
    return await client.request<CertificateView | null>("weft_getBlockCertificate", [n]);
  } catch (e) {
    if (e instanceof RpcRequestError && e.code === NOT_A_NETWORK) return "none";
    throw e;
  }
}

function certificateLine(c: CertifiedHeader): string {
  return `certificate  ${c.signers} of ${c.validators} validators, power ${c.signedPower} of ${c.totalPower}, verified against the genesis set`;
}

export function addProofCommand(program: Command): void {
  program
    .command("proof <target>")
    .description(
      "print a state value proven against the head's state root: an address's coin balance (decoded), a contract's storage slot (--slot), or any raw state key (--key)",
    )
    .option("--slot <hex>", "a storage slot of the contract at <target> (its raw key, 0x hex)")
    .option("--key", "<target> is a raw state key (hex)")
    .option(
      "--genesis <file>",
      "on a validator network: the genesis file whose validator set must certify the block (its commit certificate is checked)",
    )
    .action(
      async (targetText: string, opts: { slot?: string; key?: boolean; genesis?: string }, cmd: Command) => {
        const ctx = contextOf(cmd);
        const trusted =
          opts.genesis === undefined
            ? undefined
            : genesisValidators(readBoundedText(opts.genesis, "genesis file", 1 << 20));
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
        const certificate = await certificateOf(ctx.client, verified.blockNumber);
        let certified: CertifiedHeader | undefined;
        let trust: string;
        if (trusted !== undefined) {
          if (certificate === "none")
            throw new UsageError(
              "--genesis: this node is not a validator network (its blocks have no certificates)",
            );
          const block = await ctx.client.getBlock({ number: verified.blockNumber });
          if (block === null) throw new UsageError(`the node does not know block ${verified.blockNumber}`);
          certified = verifyCertifiedHeader(block, certificate, trusted);
          if (block.stateRoot !== verified.stateRoot)
            throw new LightClientError("PROOF", `block ${block.number}'s state root is not the proof's`);
          trust = certificateLine(certified);
        } else if (certificate === "none")
          trust = "header       trusted from the node (a single dev node: its blocks carry no certificates)";
        else
          trust =
            "certificate  not checked: the header is trusted from the node (pass --genesis <file> to verify the validators' certificate)";
        const value =
          verified.value === undefined ? null : `0x${Buffer.from(verified.value).toString("hex")}`;
        const meaning = meaningOf(verified.key, verified.value);
        const certificateJson =
          certified === undefined
            ? null
            : {
                signers: certified.signers,
                validators: certified.validators,
                signedPower: certified.signedPower,
                totalPower: certified.totalPower,
              };
        const json = { ...verified, value, ...meaning?.json, verified: true, certificate: certificateJson };
        ctx.out.result(json, () => [
          `key          ${verified.key}`,
          ...(meaning === undefined ? [] : [meaning.line]),
          `value        ${value === null ? "(absent: proven absent)" : `${value}${meaning === undefined ? "" : ` (${meaning.encoding})`}`}`,
          `block        ${verified.blockNumber}${verified.blockHash ? ` (${verified.blockHash})` : ""}`,
          `state root   ${verified.stateRoot}`,
          "verified     yes: the Merkle proof matches the state root, and that root matches the block header",
          trust,
        ]);
      },
    );
}
