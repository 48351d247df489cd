/**
 * One build's runner process for `compare.ts`: forks `compareRunner.js` at the build's root
 * and sends it one request at a time, answering with its reply.
 */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Digest, EngineStats, RunnerReply, RunnerRequest } from "./compareRunner.js";

const runnerPath = fileURLToPath(new URL("./compareRunner.js", import.meta.url));

/** One build in its runner process, answering one request at a time. */
export class Side {
  private readonly child: ChildProcess;
  private waiting: ((reply: RunnerReply) => void) | undefined;
  readonly ready: Promise<RunnerReply>;
  /** Settles when the process has exited (its memory is free for the next set). */
  readonly exited: Promise<void>;

  constructor(
    readonly label: string,
    root: string,
  ) {
    this.child = fork(runnerPath, [root], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    this.child.on("message", (reply: RunnerReply) => {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve?.(reply);
    });
    this.exited = new Promise((done) => {
      this.child.on("exit", (code) => {
        const resolve = this.waiting;
        this.waiting = undefined;
        resolve?.({ ok: false, error: `runner for ${label} exited with code ${code}` });
        done();
      });
    });
    this.ready = new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  async request(
    request: RunnerRequest,
  ): Promise<{ txs?: number; ms?: number; cpuMs?: number; digest?: Digest; stats?: EngineStats }> {
    const reply = await new Promise<RunnerReply>((resolve) => {
      this.waiting = resolve;
      this.child.send(request);
    });
    if (!reply.ok) throw new Error(`${this.label}: ${reply.error}`);
    return reply;
  }

  close(): Promise<void> {
    if (this.child.connected) this.child.send({ op: "close" } satisfies RunnerRequest);
    else if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill();
    return this.exited;
  }
}
