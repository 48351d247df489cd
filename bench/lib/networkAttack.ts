/**
 * The attack of many addresses of one network on read-only execution (`bench/rpcIsolation.ts`):
 * eight loopback addresses of one /24 keep slow `eth_call`s in flight (an EVM loop that never
 * stops, run until its gas cap or the node's time limit), while an honest client of another
 * /24 times one cheap `weft_call` after another. Linux routes all of 127.0.0.0/8 to the
 * loopback interface, so a client socket can be bound to any of those addresses.
 */
import { request } from "node:http";
import type { Address } from "../../src/codec/address.js";
import { median } from "./report.js";

export const ATTACKERS = Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`);
export const HONEST = "127.1.0.1";
/** Init code that never stops: JUMPDEST PUSH1 0 JUMP. */
const EVM_LOOP = "0x5b600056";

interface Answer {
  result?: unknown;
  error?: { code: number; message: string; data?: { retryAfterMs?: number } };
}

/** POSTs one JSON-RPC request from `localAddress`. */
export function postFrom(
  url: string,
  localAddress: string,
  method: string,
  params: unknown[],
): Promise<Answer> {
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method, params });
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: "POST", localAddress, agent: false, headers: { "content-type": "application/json" } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          try {
            resolve(JSON.parse(text) as Answer);
          } catch {
            resolve({ error: { code: res.statusCode ?? 0, message: text.slice(0, 200) } });
          }
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface AttackResult {
  /** Latency of each honest call, ms (those answered with a result). */
  honestMs: number[];
  /** Honest calls answered with an error, by code. */
  honestErrors: Record<string, number>;
  /** The attackers' answers: "ok" or the error code, counted. */
  attack: Record<string, number>;
}

/**
 * Runs the attack for `seconds` (`depth` calls in flight per attacking address) while the
 * honest client calls `probe.gas` one call after another; waits for every call in flight.
 */
export async function honestUnderAttack(
  url: string,
  probe: Address,
  seconds: number,
  depth: number,
): Promise<AttackResult> {
  const result: AttackResult = { honestMs: [], honestErrors: {}, attack: {} };
  const count = (into: Record<string, number>, key: string) => {
    into[key] = (into[key] ?? 0) + 1;
  };
  let stopped = false;
  const lane = async (from: string) => {
    while (!stopped) {
      const answer = await postFrom(url, from, "eth_call", [
        { data: EVM_LOOP, gas: "0xffffff" },
        "latest",
      ]).catch((error: unknown) => ({ error: { code: 0, message: String(error) } }) as Answer);
      count(result.attack, answer.error === undefined ? "ok" : String(answer.error.code));
      // A refused call is retried soon, as an attacker would (not at once: this process shares the machine).
      if (answer.error?.code === -32005) await sleep(Math.min(answer.error.data?.retryAfterMs ?? 50, 200));
    }
  };
  const lanes = ATTACKERS.flatMap((from) => Array.from({ length: depth }, () => lane(from)));
  await sleep(500); // the attack is under way
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const started = performance.now();
    const answer = await postFrom(url, HONEST, "weft_call", [{ to: probe, method: "gas" }]);
    if (answer.error === undefined) result.honestMs.push(performance.now() - started);
    else count(result.honestErrors, String(answer.error.code));
    await sleep(100);
  }
  stopped = true;
  await Promise.all(lanes);
  return result;
}

/** One table row per build. */
export function attackRows(results: Array<{ build: string } & AttackResult>): Array<Array<string | number>> {
  const q = (values: number[], p: number) =>
    [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(p * values.length))] ?? 0;
  return results.map((r) => [
    r.build,
    r.honestMs.length,
    median(r.honestMs).toFixed(1),
    q(r.honestMs, 0.9).toFixed(1),
    Math.max(0, ...r.honestMs).toFixed(0),
    Object.entries(r.honestErrors)
      .map(([k, v]) => `${k}: ${v}`)
      .join(", ") || "-",
    Object.entries(r.attack)
      .map(([k, v]) => `${k}: ${v}`)
      .join(", "),
  ]);
}
