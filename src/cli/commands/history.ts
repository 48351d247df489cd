/**
 * `weft receipt <hash>` and `weft logs <contract> [event]`: a transaction's receipt and a
 * contract's events after the fact, decoded as `weft tx` decodes them at send time (the
 * contract book's metadata: genesis, shipped, project or verified contracts).
 */
import type { Command } from "commander";
import type { Address } from "../../codec/address.js";
import { toHex, utf8 } from "../../codec/bytes.js";
import { keccak256 } from "../../codec/hash.js";
import type { ContractMetadata } from "../../codec/metadata.js";
import { type AbiEntry, signatureOf } from "../../codec/solidityAbi.js";
import {
  type DecodedRevert,
  decodeRevertWith,
  formatRevert,
  type Hex,
  type Log,
  RpcRequestError,
  type TransactionInfo,
  WeftClientError,
} from "../../sdk/client/index.js";
import { type Context, contextOf } from "../context.js";
import { decodeEvmOutcome, evmAbiFor, isAbiFile } from "../evmCalls.js";
import { type ContractBook, contractBook, projectNetwork } from "../knownContracts.js";
import { UsageError } from "../output.js";
import {
  type DecodedEvent,
  type DecodedReceipt,
  decodeReceipt,
  printReceipt,
  showValue,
} from "../receipts.js";

const HASH_RE = /^0x[0-9a-fA-F]{64}$/;

/** `hash` as the node takes it, or a usage error saying what a hash looks like. */
export function transactionHash(hash: string): Hex {
  if (!HASH_RE.test(hash))
    throw new UsageError(`${JSON.stringify(hash)} is not a transaction hash`, [
      "a transaction hash is 0x followed by 64 hex digits (weft tx, weft send and the explorer print it)",
    ]);
  return hash.toLowerCase() as Hex;
}

/** The transaction behind a receipt, when the node shows it (an Ethereum transaction may not). */
async function transactionOf(ctx: Context, hash: Hex): Promise<TransactionInfo | null> {
  try {
    return await ctx.client.getTransaction(hash);
  } catch {
    return null;
  }
}

/** The metadata of the contracts a transaction called, those the book knows. */
async function calledMetadata(book: ContractBook, tx: TransactionInfo | null): Promise<ContractMetadata[]> {
  const out: ContractMetadata[] = [];
  for (const call of tx?.calls ?? []) {
    const known = await book.at(call.target);
    if (known !== undefined && !out.includes(known.metadata)) out.push(known.metadata);
  }
  return out;
}

/** `weft receipt`: the receipt with `revert` (decoded) beside `weft tx`'s `result` and `events`. */
async function showReceipt(ctx: Context, text: string, abi: string | undefined): Promise<void> {
  const hash = transactionHash(text);
  const receipt = await ctx.client.getReceipt(hash);
  const tx = await transactionOf(ctx, hash);
  if (receipt === null) {
    if (tx?.status === "pending")
      throw new WeftClientError(`transaction ${hash} is pending: it is not in a block yet`, [
        "ask again once it is included (weft receipt waits for nothing)",
      ]);
    throw new WeftClientError(`no transaction ${hash} on this node`, [
      `the node at ${ctx.options.rpc} knows no receipt for it: another chain or node, or a transaction never included`,
    ]);
  }
  const book = contractBook(ctx.client);
  // An Ethereum transaction may be shown without Weft calls.
  const last = tx?.calls?.at(-1);
  const lastContract = last === undefined ? undefined : await book.at(last.target);
  const decoded: DecodedReceipt & { revert?: DecodedRevert } = await decodeReceipt(
    book,
    receipt,
    last === undefined || lastContract === undefined
      ? undefined
      : { metadata: lastContract.metadata, method: last.method },
  );
  if (receipt.status !== "success") {
    const revert = decodeRevertWith(await calledMetadata(book, tx), receipt.output);
    if (revert !== undefined) decoded.revert = revert;
  }
  const what = last === undefined ? "transaction" : `${lastContract?.name ?? last.target}.${last.method}`;
  if (lastContract === undefined) await decodeEvmCall(ctx, hash, decoded, abi);
  await decodeEvmLogs(ctx, book, decoded, abi);
  printReceipt(ctx, decoded, `${what}: ${receipt.status}`);
  if (!ctx.out.json && decoded.revert !== undefined)
    process.stdout.write(
      `  reverted with ${formatRevert(decoded.revert)}${decoded.revert.contract ? ` (${decoded.revert.contract})` : ""}\n`,
    );
  else if (!ctx.out.json && receipt.status !== "success" && receipt.output !== "0x")
    process.stdout.write(`  revert data ${receipt.output}\n`);
}

/**
 * An EVM call's return value or custom-error revert, decoded with the called contract's
 * Solidity ABI (`--abi <file.json>`, else the one verified with the node); left raw when the
 * transaction called no EVM code or nothing describes it.
 */
async function decodeEvmCall(
  ctx: Context,
  hash: Hex,
  decoded: DecodedReceipt & { revert?: DecodedRevert },
  abi: string | undefined,
): Promise<void> {
  const eth = await ctx.client
    .request<{ to?: string | null; input?: string } | null>("eth_getTransactionByHash", [hash])
    .catch(() => null);
  const to = eth?.to;
  if (typeof to !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(to)) return;
  let entries: AbiEntry[] | undefined;
  try {
    entries = await evmAbiFor(ctx.client, to.toLowerCase() as Address, abi);
  } catch (error) {
    // EVM code nobody described: its output stays raw.
    if (abi === undefined && error instanceof UsageError) return;
    throw error;
  }
  if (entries === undefined) return;
  const outcome = decodeEvmOutcome(entries, eth?.input, decoded.status, decoded.output);
  if (outcome.result !== undefined) decoded.result = outcome.result;
  if (outcome.revert !== undefined) decoded.revert = outcome.revert;
}

/**
 * Decodes, with an EVM contract's Solidity ABI (`--abi <file.json>`, else the one verified
 * with the node), the logs the book left undecoded: one lookup per emitting address.
 */
async function decodeEvmLogs(
  ctx: Context,
  book: ContractBook,
  decoded: DecodedReceipt,
  abi: string | undefined,
): Promise<void> {
  const done = new Set(decoded.events.map((e) => e.logIndex));
  const rest = decoded.logs.filter((l) => !done.has(l.logIndex));
  for (const address of new Set(rest.map((l) => l.address.toLowerCase() as Address))) {
    const source = await eventSource(ctx, book, address, abi);
    if (source?.evm === undefined) continue;
    const logs = rest.filter((l) => l.address.toLowerCase() === address);
    const more = await decodeReceipt(book, { ...decoded, logs }, undefined, source.evm);
    decoded.events.push(...more.events);
  }
  decoded.events.sort((a, b) => a.logIndex - b.logIndex);
}

/** A block bound: a non-negative integer. */
function blockOption(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,15}$/.test(text))
    throw new UsageError(`${flag}: ${JSON.stringify(text)} is not a block number`, [
      "a block number is a whole number (0 is genesis)",
    ]);
  return Number(text);
}

type EvmAbi = { abi: AbiEntry[]; address: string; name: string };

/** What names and decodes a contract's events: its WASM metadata, or an EVM contract's Solidity ABI. */
interface EventSource {
  name: string;
  events: Array<{ name: string; topic0: Hex }>;
  evm?: EvmAbi;
}

/**
 * The events of the contract at `address`: the book's metadata, `--abi <name>` (a built WASM
 * contract), or for EVM code `--abi <file.json>` or its verified ABI; undefined when nothing
 * describes it (its logs are listed undecoded).
 */
async function eventSource(
  ctx: Context,
  book: ContractBook,
  address: Address,
  abi: string | undefined,
): Promise<EventSource | undefined> {
  if (abi === undefined || isAbiFile(abi)) {
    const known = abi === undefined ? await book.at(address) : undefined;
    if (known !== undefined)
      return {
        name: known.name,
        events: known.metadata.events.map((e) => ({ name: e.name, topic0: e.topic0.toLowerCase() as Hex })),
      };
    let entries: AbiEntry[] | undefined;
    try {
      entries = await evmAbiFor(ctx.client, address, abi);
    } catch (error) {
      // EVM code nobody described: its logs stay undecoded.
      if (abi === undefined && error instanceof UsageError) return undefined;
      throw error;
    }
    if (entries === undefined) return undefined;
    return {
      name: address,
      events: entries
        .filter((e) => e.type === "event" && e.anonymous !== true && e.name !== undefined)
        .map((e) => ({
          name: e.name as string,
          topic0: `0x${toHex(keccak256(utf8(signatureOf(e))))}` as Hex,
        })),
      evm: { abi: entries, address, name: address },
    };
  }
  const known = await book.resolve(address, abi);
  return {
    name: known.name,
    events: known.metadata.events.map((e) => ({ name: e.name, topic0: e.topic0.toLowerCase() as Hex })),
  };
}

/** Log-query refusals from the node (too many blocks, reads or logs): its message, and what to do. */
const LOG_LIMIT_CODES = new Set([-32005, -32020, -32021]);

async function showLogs(
  ctx: Context,
  at: string,
  eventName: string | undefined,
  opts: { fromBlock?: string; toBlock?: string; network?: string; abi?: string },
): Promise<void> {
  const toBlock = blockOption(opts.toBlock, "--to-block") ?? (await ctx.client.blockNumber());
  // The node's default range is the one block toBlock; the CLI's, the whole chain (the node bounds a query's reads).
  const fromBlock = blockOption(opts.fromBlock, "--from-block") ?? 0;
  if (fromBlock > toBlock) throw new UsageError(`--from-block ${fromBlock} is after --to-block ${toBlock}`);
  const book = contractBook(ctx.client, { network: projectNetwork(opts.network) });
  const { address } = await book.addressOf(at);
  // Only a named event needs the contract's events first; otherwise the query goes before any lookup.
  let source = eventName === undefined ? undefined : await eventSource(ctx, book, address, opts.abi);
  let topics: Hex[] | undefined;
  if (eventName !== undefined) {
    if (source === undefined)
      throw new UsageError(
        `no metadata known for the contract at ${address}: cannot name its event ${eventName}`,
        [
          "list all its logs (weft logs <address>), register its metadata (weft verify), or give --abi <name|file.json>",
        ],
      );
    const event = source.events.find((e) => e.name === eventName);
    if (event === undefined)
      throw new UsageError(`${source.name} has no event ${JSON.stringify(eventName)}`, [
        `its events: ${source.events.map((e) => e.name).join(", ") || "(none)"}`,
      ]);
    topics = [event.topic0];
  }
  let logs: Log[];
  try {
    logs = await ctx.client.getLogs({
      address,
      fromBlock,
      toBlock,
      ...(topics === undefined ? {} : { topics }),
    });
  } catch (error) {
    if (error instanceof RpcRequestError && LOG_LIMIT_CODES.has(error.code))
      throw new WeftClientError(`the node refused the log query: ${error.rpcMessage}`, [
        `code: ${error.code}`,
        "ask for fewer blocks with --from-block N --to-block M, or name an event",
      ]);
    throw error;
  }
  if (eventName === undefined) source = await eventSource(ctx, book, address, opts.abi);
  const events = await decodeLogs(book, logs, source?.evm);
  const rows = logs.map((log, i) => {
    const event = events[i];
    return {
      blockNumber: log.blockNumber,
      txHash: log.txHash,
      logIndex: log.logIndex,
      address: log.address as Address,
      ...(event === undefined
        ? { topics: log.topics, data: log.data }
        : { contract: event.contract, event: event.event, args: event.args }),
    };
  });
  const note = (await isStakingContract(ctx, address)) ? END_BLOCK_NOTE : undefined;
  ctx.out.result(
    { address, fromBlock, toBlock, count: rows.length, logs: rows, ...(note === undefined ? {} : { note }) },
    () => [
      `${rows.length} log${rows.length === 1 ? "" : "s"} of ${source?.name ?? address}${eventName === undefined ? "" : ` (${eventName})`} in blocks ${fromBlock}..${toBlock}`,
      ...(note === undefined ? [] : [`note: ${note}`]),
      ...rows.map((r) =>
        "event" in r
          ? `  block ${r.blockNumber} tx ${r.txHash}: ${r.contract}.${r.event}(${Object.entries(r.args)
              .map(([k, v]) => `${k}: ${showValue(v)}`)
              .join(", ")})`
          : `  block ${r.blockNumber} tx ${r.txHash}: undecoded, topics ${r.topics.join(" ")} data ${r.data}`,
      ),
    ],
  );
}

/** Why a query of the staking contract's logs misses what the chain did at each block's end. */
export const END_BLOCK_NOTE =
  "the staking contract's end-of-block events (Jailed, Slashed, BlockRewarded, ValidatorSetUpdated, ValidatorTombstoned) belong to no transaction, so no log query returns them: weft_getEndBlock [block] lists a block's (docs/rpc.md), and the explorer's block page shows them";

/** Whether `address` is the chain's staking contract (a node that names none: no). */
async function isStakingContract(ctx: Context, address: Address): Promise<boolean> {
  const staking = await ctx.client.genesis().then(
    (g) => g.contracts.staking,
    () => undefined,
  );
  return staking !== undefined && staking.toLowerCase() === address.toLowerCase();
}

/** Each log decoded as `weft tx` decodes a receipt's (undefined where its contract is not known). */
async function decodeLogs(
  book: ContractBook,
  logs: Log[],
  evm: EvmAbi | undefined,
): Promise<Array<DecodedEvent | undefined>> {
  const out: Array<DecodedEvent | undefined> = [];
  for (const log of logs) {
    const { events } = await decodeReceipt(
      book,
      {
        txHash: log.txHash,
        blockNumber: log.blockNumber,
        blockHash: "0x" as Hex,
        txIndex: log.txIndex,
        status: "success",
        gasUsed: 0,
        fee: 0n,
        output: "0x" as Hex,
        logs: [log],
      },
      undefined,
      evm,
    );
    out.push(events[0]);
  }
  return out;
}

export function addHistoryCommands(program: Command): void {
  program
    .command("receipt <hash>")
    .description(
      "a transaction's receipt, read back: status, block, gas, fee, its events decoded and a revert decoded, as weft tx prints them (exit 0 whenever the receipt is found; its status says how it ended)",
    )
    .option(
      "--abi <file.json>",
      "an EVM contract's Solidity ABI, to decode its return value, custom-error revert and events (verified EVM contracts need none)",
    )
    .action(async (hash: string, opts: { abi?: string }, cmd: Command) => {
      if (opts.abi !== undefined && !isAbiFile(opts.abi))
        throw new UsageError(`--abi ${opts.abi}: expected a Solidity ABI file (.json)`, [
          "WASM contracts' events are decoded by the metadata the CLI knows (weft verify registers more)",
        ]);
      await showReceipt(contextOf(cmd), hash, opts.abi);
    });
  program
    .command("logs <contract> [event]")
    .description(
      "a contract's past events (a genesis name, a project's contract or an address), decoded; [event] keeps only that event. The node bounds a query (50,000 records read, 10,000 logs): past that it refuses, and --from-block/--to-block narrow it",
    )
    .option("--from-block <n>", "the first block to search (default: 0, the whole chain)")
    .option("--to-block <m>", "the last block to search (default: the head)")
    .option(
      "--abi <contract|file.json>",
      "what describes its events when the CLI does not know it: a built WASM contract's name, or an EVM contract's Solidity ABI (verified EVM contracts need none)",
    )
    .option(
      "--network <name>",
      "in a project: the deployments/<name>.json to use (default: WEFT_NETWORK, else local)",
    )
    .action(
      async (
        at: string,
        event: string | undefined,
        opts: { fromBlock?: string; toBlock?: string; network?: string; abi?: string },
        cmd: Command,
      ) => {
        await showLogs(contextOf(cmd), at, event, opts);
      },
    );
}
