/**
 * The load program's sender, in a process of its own (`node dist/bench/lib/loadSender.js`,
 * forked by `bench/load.ts`): it gets the pre-signed transactions as ready JSON-RPC batch
 * bodies, one per tick, and posts each at its due time over a few keep-alive HTTP
 * connections (`node:http`, no `fetch`), so that neither signing nor the parent's
 * WebSocket and block reads take from its schedule. It reports when each batch left and
 * which transactions the node refused, then the time the last answer arrived.
 *
 * Times are `performance.timeOrigin + performance.now()` (ms since the epoch, sub-ms),
 * comparable between the two processes.
 */
import { Agent, request } from "node:http";

/** What the parent sends: the node's URL and the batches, `tickMs` apart from the start. */
export interface SendPlan {
  url: string;
  tickMs: number;
  /** JSON-RPC batch bodies, in order: batch i is due `i × tickMs` after the start. */
  bodies: string[];
  /** Keep-alive connections to use at most. */
  connections: number;
}

/** What the sender reports, batch by batch, then once at the end. */
export type SenderReport =
  | { type: "sent"; batch: number; at: number }
  | { type: "answered"; batch: number; rejected: Record<string, number>; transportError?: string }
  | { type: "done"; at: number };

export const now = (): number => performance.timeOrigin + performance.now();

/** Posts `body` to `url` on `agent`; resolves with the parsed answer. */
function post(url: URL, agent: Agent, body: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
          } catch (error) {
            reject(error);
          }
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Runs a plan, reporting through `report`; resolves when every batch has its answer. */
export async function runPlan(plan: SendPlan, report: (r: SenderReport) => void): Promise<void> {
  const url = new URL(plan.url);
  const agent = new Agent({ keepAlive: true, maxSockets: plan.connections });
  const started = now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < plan.bodies.length; i++) {
    const wait = started + i * plan.tickMs - now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    report({ type: "sent", batch: i, at: now() });
    const batch = i;
    inflight.push(
      post(url, agent, plan.bodies[i] as string).then(
        (answers) => {
          const rejected: Record<string, number> = {};
          for (const a of answers as Array<{ error?: { message: string; data?: { reason?: string } } }>) {
            if (a.error === undefined) continue;
            const why = a.error.data?.reason ?? a.error.message;
            rejected[why] = (rejected[why] ?? 0) + 1;
          }
          report({ type: "answered", batch, rejected });
        },
        (error: unknown) => report({ type: "answered", batch, rejected: {}, transportError: String(error) }),
      ),
    );
  }
  await Promise.all(inflight);
  agent.destroy();
  report({ type: "done", at: now() });
}

if (process.send !== undefined) {
  const send = process.send.bind(process);
  process.on("message", (plan: SendPlan) => {
    void runPlan(plan, (r) => send(r)).catch((error: unknown) => {
      console.error(`load sender failed: ${String(error)}`);
      process.exit(1);
    });
  });
}
