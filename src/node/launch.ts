/** Starting `weft node` as a child process and waiting until it serves RPC (tests, load program). */
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../cli/weft.js", import.meta.url));

export interface NodeProcess {
  child: ChildProcess;
  url: string;
  wsUrl: string;
  /** Every JSON log line so far. */
  logs: Array<Record<string, unknown>>;
  stderr: string[];
  /** Resolves with the exit code when the process has exited. */
  exited: Promise<number | null>;
}

/**
 * Starts `weft node --data-dir <dataDir> ...args`; resolves once it logs "node started".
 * `cli`: the `weft.js` to run (default this package's; a test runs an installed package's);
 * `env`: the process's environment (default this one's).
 */
export function launchNode(
  dataDir: string,
  args: string[] = [],
  timeoutMs = 120_000,
  cli = CLI,
  env: NodeJS.ProcessEnv = process.env,
): Promise<NodeProcess> {
  const child = spawn(process.execPath, [cli, "node", "--data-dir", dataDir, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env,
  });
  const logs: Array<Record<string, unknown>> = [];
  const stderr: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", (l) => stderr.push(l));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node did not start:\n${stderr.join("\n")}`)), timeoutMs);
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
