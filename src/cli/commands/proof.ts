/**
 * `weft proof`: fetch a state value with its Merkle proof and verify it locally against the
 * block. On a validator network with `--genesis <file>`, the block's header is also checked
 * against its commit certificate and the validator set of its epoch, followed from the genesis
 * set (or from `--checkpoint <height>:<hash>`) by the node's epoch links, each checked (the
 * SDK's light client, `sdk/client/lightClient.ts`); without it, or on a single dev node (no
 * certificates), the output says the header is trusted from the node.
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
  checkpointValidators,
  genesisValidators,
  LightClientError,
  type TrustedCheckpoint,
  type TrustedValidators,
  trustedSetAt,
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

/** How the set that signed was reached: "the genesis set", "epoch 3's set, followed 3 epoch links from genesis", ... */
export function trustLine(t: TrustedValidators): string {
  const reached = t.reached ?? { from: "genesis", links: 0 };
  const links = `${reached.links} epoch link${reached.links === 1 ? "" : "s"}`;
  if (reached.from === "checkpoint") {
    const cp = reached.checkpoint as TrustedCheckpoint;
    const start = `the checkpoint block ${cp.height} (${cp.hash})`;
    return reached.links === 0
      ? `epoch ${t.epoch}'s set, proven by ${start}`
      : `epoch ${t.epoch}'s set, followed ${links} from ${start}`;
  }
  return t.epoch === 0 ? "the genesis set" : `epoch ${t.epoch}'s set, followed ${links} from genesis`;
}

function certificateLine(c: CertifiedHeader, t: TrustedValidators): string {
  return `certificate  ${c.signers} of ${c.validators} validators, power ${c.signedPower} of ${c.totalPower}, verified against ${trustLine(t)}`;
}

/** `--checkpoint <height>:<hash>`. */
export function parseCheckpoint(text: string): TrustedCheckpoint {
  const m = /^(\d{1,15}):(0x[0-9a-fA-F]{64})$/.exec(text);
  if (m === null)
    throw new UsageError(
      `--checkpoint: expected <height>:<hash> (a block number, a colon, the block's 0x hash of 64 hex digits), got ${text}`,
    );
  return { height: Number(m[1]), hash: (m[2] as string).toLowerCase() };
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
      "on a validator network: the genesis file whose validator set is trusted; the set is followed to the block's epoch by the node's epoch links, each checked, and the block's commit certificate is checked against it",
    )
    .option(
      "--checkpoint <height:hash>",
      "with --genesis: trust the set proven by this block (an epoch's last block, known by its hash from a source you trust) instead of the genesis set; the genesis file then gives only the chain's parameters",
    )
    .action(
      async (
        targetText: string,
        opts: { slot?: string; key?: boolean; genesis?: string; checkpoint?: string },
        cmd: Command,
      ) => {
        const ctx = contextOf(cmd);
        if (opts.checkpoint !== undefined && opts.genesis === undefined)
          throw new UsageError(
            "--checkpoint needs --genesis <file> too: the genesis file gives the chain id, the epoch length and the staking contract",
          );
        const checkpoint = opts.checkpoint === undefined ? undefined : parseCheckpoint(opts.checkpoint);
        const genesis =
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
        let signing: TrustedValidators | undefined;
        let trust: string;
        if (genesis !== undefined) {
          if (certificate === "none")
            throw new UsageError(
              "--genesis: this node is not a validator network (its blocks have no certificates)",
            );
          const block = await ctx.client.getBlock({ number: verified.blockNumber });
          if (block === null) throw new UsageError(`the node does not know block ${verified.blockNumber}`);
          const root =
            checkpoint === undefined ? genesis : await checkpointValidators(ctx.client, genesis, checkpoint);
          signing = await trustedSetAt(ctx.client, root, block.number);
          certified = verifyCertifiedHeader(block, certificate, signing);
          if (block.stateRoot !== verified.stateRoot)
            throw new LightClientError("PROOF", `block ${block.number}'s state root is not the proof's`);
          trust = certificateLine(certified, signing);
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
                epoch: signing?.epoch,
                trust: signing?.reached ?? { from: "genesis", links: 0 },
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
