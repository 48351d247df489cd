/** Test helpers: a node process on loopback (`weft node`), and a tiny JSON-RPC client. */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../../src/cli/weft.js", import.meta.url));

export interface NodeProcess {
  child: ChildProcess;
  url: string;
  wsUrl: string;
  /** Every log line so far (JSON objects). */
  logs: Array<Record<string, unknown>>;
  stderr: string[];
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
}

/** Starts `weft node` on a free port; resolves once it serves RPC. */
export function startNodeProcess(dataDir: string, extra: string[] = []): Promise<NodeProcess> {
  const child = spawn(
    process.execPath,
    [
      CLI,
      "node",
      "--data-dir",
      dataDir,
      "--port",
      "0",
      "--block-time-ms",
      "100",
      "--dev-accounts",
      "4",
      ...extra,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const logs: Array<Record<string, unknown>> = [];
  const stderr: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", (l) => stderr.push(l));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node did not start:\n${stderr.join("\n")}`)), 60_000);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      logs.push(entry);
      if (entry.msg === "node started") {
        clearTimeout(timer);
        resolve({ child, url: entry.url as string, wsUrl: entry.ws as string, logs, stderr, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`node exited with ${code} before starting:\n${stderr.join("\n")}`));
    });
  });
}

let nextId = 1;

export class RpcCallError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}

/** Calls `method` over HTTP; throws `RpcCallError` for a JSON-RPC error. */
export async function rpc<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }),
  });
  const body = (await res.json()) as {
    result?: T;
    error?: { code: number; message: string; data?: unknown };
  };
  if (body.error !== undefined) throw new RpcCallError(body.error.code, body.error.message, body.error.data);
  return body.result as T;
}

/** Polls for a receipt until it exists or `timeoutMs` passes. */
export async function waitForReceipt<T = Record<string, unknown>>(
  url: string,
  hash: string,
  timeoutMs = 20_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const r = await rpc<T | null>(url, "weft_getReceipt", [hash]);
    if (r !== null) return r;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no receipt for ${hash} after ${timeoutMs} ms`);
}
