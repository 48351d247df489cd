/**
 * `weft status`: the node at a glance, from `weft_status` and `eth_syncing`: chain, head, how
 * far behind the network it is while it catches up, peers, pool, next base fee, and a failure of
 * its chain database if one stopped block production.
 */
import type { Command } from "commander";
import { contextOf } from "../context.js";
import { whenFrom } from "../when.js";

/** `weft_status`'s answer as the node sends it (docs/rpc.md, weft_status). */
interface StatusAnswer {
  version: string;
  chainId: string;
  head: { number: number; hash: string; time: number; stateRoot: string };
  time: number;
  nextBaseFee: string;
  mempool: { count: number; bytes: number; senders: number };
  workers: number;
  peers: number;
  syncing: boolean;
  storeFailure: { code: string; path: string; advice: string; message: string } | null;
}

/** `eth_syncing`'s answer: false at the head, else the catch-up's quantities. */
type SyncingAnswer = false | { startingBlock: string; currentBlock: string; highestBlock: string };

/** What `weft status --json` prints: the node's status with the catch-up's blocks as numbers. */
export interface StatusView extends StatusAnswer {
  rpc: string;
  catchUp: { startingBlock: number; currentBlock: number; highestBlock: number } | null;
}

export function statusView(rpc: string, status: StatusAnswer, syncing: SyncingAnswer): StatusView {
  const catchUp =
    syncing === false
      ? null
      : {
          startingBlock: Number(BigInt(syncing.startingBlock)),
          currentBlock: Number(BigInt(syncing.currentBlock)),
          highestBlock: Number(BigInt(syncing.highestBlock)),
        };
  return { rpc, ...status, catchUp };
}

/** The human lines of `weft status`. */
export function statusLines(v: StatusView): string[] {
  const sync =
    v.catchUp !== null
      ? `catching up: block ${v.catchUp.currentBlock} of ${v.catchUp.highestBlock} known (${v.catchUp.highestBlock - v.catchUp.currentBlock} behind; started at ${v.catchUp.startingBlock})`
      : v.syncing
        ? "catching up (peers are ahead; how far is not known yet)"
        : "at the head";
  const lines = [
    `node          ${v.version} at ${v.rpc}`,
    `chain id      ${v.chainId}`,
    `head          block ${v.head.number}, ${v.head.hash}`,
    `              made ${whenFrom(BigInt(v.head.time), BigInt(v.time))}`,
    `state root    ${v.head.stateRoot}`,
    `sync          ${sync}`,
    `peers         ${v.peers}${v.peers === 0 ? " (a single node, or no peer reached)" : ""}`,
    `mempool       ${v.mempool.count} transactions, ${v.mempool.bytes} bytes, ${v.mempool.senders} senders`,
    `next base fee ${v.nextBaseFee}`,
    `workers       ${v.workers}`,
  ];
  if (v.storeFailure === null) lines.push("database      ok");
  else
    lines.push(
      `database      FAILED (${v.storeFailure.code}) at ${v.storeFailure.path}: block production stopped`,
      `              ${v.storeFailure.message}`,
      `              ${v.storeFailure.advice}`,
    );
  return lines;
}

export function addStatusCommand(program: Command): void {
  program
    .command("status")
    .description(
      "the node at a glance: chain id, head block, whether it is catching up (block N of M), peers, mempool, next base fee, database health",
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = contextOf(cmd);
      const [status, syncing] = await Promise.all([
        ctx.client.request<StatusAnswer>("weft_status"),
        ctx.client.request<SyncingAnswer>("eth_syncing"),
      ]);
      const view = statusView(ctx.options.rpc, status, syncing);
      ctx.out.result(view, () => statusLines(view));
    });
}
