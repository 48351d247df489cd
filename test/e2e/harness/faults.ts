/**
 * The perturbations of CometBFT's end-to-end suite, done to a running cluster, each followed
 * by the invariants: while the fault lasts, the nodes that can still form a quorum (more
 * than 2/3 of the power) make progress and those that cannot make none; once it heals,
 * every node passes the highest head of the moment of healing (the time that takes is the
 * fault's recovery time, a figure for the bench, never asserted); and no node's chain
 * differs from another's at any height (`ChainChecker`).
 */
import {
  type ChainChecker,
  heads,
  InvariantError,
  sleep,
  waitForHeight,
  waitForProgress,
} from "./chainView.js";
import type { Cluster, ClusterNode } from "./cluster.js";

export interface E2eRun {
  cluster: Cluster;
  checker: ChainChecker;
  log: (message: string) => void;
  /** Deadline for each wait for progress (generous: the machine may be loaded). */
  progressTimeoutMs?: number;
}

export interface FaultOutcome {
  fault: string;
  /** Ms from the heal (restart, SIGCONT, links back) until every node passed the highest head then. */
  recoveryMs: number;
  /** Of `recoveryMs`, the ms the restarted processes took to start (the longest); 0 for no restart. */
  startMs: number;
  /** Blocks the nodes still in quorum committed while the fault lasted. */
  blocksDuringFault: number;
}

export type Fault =
  | { kind: "kill"; node: number }
  | { kind: "pause"; node: number }
  | { kind: "partition"; groups: [number[], number[]] }
  | { kind: "restartAll"; env?: Record<number, NodeJS.ProcessEnv> }
  | { kind: "twoDown"; nodes: [number, number] }
  | { kind: "killOneThenTwo"; nodes: [number, number] };

export function describeFault(f: Fault): string {
  switch (f.kind) {
    case "kill":
      return `kill -9 node ${f.node}, restart it`;
    case "pause":
      return `SIGSTOP node ${f.node}, SIGCONT it`;
    case "partition":
      return `partition ${JSON.stringify(f.groups[0])} | ${JSON.stringify(f.groups[1])}, heal`;
    case "restartAll":
      return `restart all validators${f.env === undefined ? "" : ` (environment for ${Object.keys(f.env).join(", ")})`}`;
    case "twoDown":
      return `kill -9 nodes ${f.nodes[0]} and ${f.nodes[1]}, restart them`;
    case "killOneThenTwo":
      return `kill -9 node ${f.nodes[0]}, then node ${f.nodes[1]}; restart ${f.nodes[0]}, then ${f.nodes[1]}`;
  }
}

/** Runs fault `f` and checks the invariants after it. */
export async function perturb(run: E2eRun, f: Fault): Promise<FaultOutcome> {
  const { cluster } = run;
  const name = describeFault(f);
  const timeout = run.progressTimeoutMs ?? 120_000;
  const all = () => cluster.nodes;
  run.log(`fault: ${name}`);
  const before = Math.max(...(await heads(cluster.running())).values());
  let duringTop = before;
  let healAt = 0;
  try {
    switch (f.kind) {
      case "kill": {
        await cluster.kill(f.node);
        await waitForProgress(cluster.running(), 2, `3 of 4 after ${name}`, timeout);
        duringTop = await topOf(cluster.running());
        healAt = Date.now();
        await cluster.start(f.node);
        break;
      }
      case "pause": {
        cluster.pause(f.node);
        await waitForProgress(cluster.running(), 2, `3 of 4 after ${name}`, timeout);
        duringTop = await topOf(cluster.running());
        healAt = Date.now();
        cluster.resume(f.node);
        break;
      }
      case "partition": {
        cluster.partition(f.groups);
        duringTop = await assertStalled(cluster.running(), name);
        healAt = Date.now();
        cluster.heal();
        break;
      }
      case "restartAll": {
        await Promise.all(cluster.nodes.map((n) => cluster.stop(n.index)));
        healAt = Date.now();
        await Promise.all(cluster.nodes.map((n) => cluster.start(n.index, f.env?.[n.index])));
        break;
      }
      case "killOneThenTwo": {
        // Both faults of CometBFT's list on one network, two process starts in all: one down
        // (the other three commit), a second down (no quorum: nothing committed, no fork), the
        // first back (a quorum again: progress, and it catches up), then the second.
        const [first, second] = f.nodes;
        await cluster.kill(first);
        await waitForProgress(cluster.running(), 2, `3 of 4 after kill -9 node ${first}`, timeout);
        await cluster.kill(second);
        duringTop = await assertStalled(cluster.running(), name);
        healAt = Date.now();
        await cluster.start(first);
        const back = await topOf(cluster.running());
        // A quorum again only once the restarted node has caught up and votes: its start and
        // catch-up come first (minutes on a loaded machine), so twice the usual deadline.
        await waitForHeight(cluster.running(), back + 1, `3 of 4 after node ${first} restarted`, 2 * timeout);
        await cluster.start(second);
        break;
      }
      case "twoDown": {
        await Promise.all(f.nodes.map((i) => cluster.kill(i)));
        duringTop = await assertStalled(cluster.running(), name);
        healAt = Date.now();
        await Promise.all(f.nodes.map((i) => cluster.start(i)));
        break;
      }
    }
  } catch (error) {
    run.log(`  failed: ${error instanceof Error ? error.stack : JSON.stringify(error)}`);
    if (error instanceof InvariantError) run.log(`  details: ${JSON.stringify(error.details)}`);
    await restore(cluster);
    throw error;
  }
  const top = await topOf(cluster.running());
  await waitForHeight(all(), top + 1, `every node after ${name}`, timeout);
  const recoveryMs = Date.now() - healAt;
  const restarted = cluster.nodes.filter((n) => n.lastStart >= healAt);
  const startMs = Math.max(0, ...restarted.map((n) => n.lastStartMs));
  await run.checker.check(all());
  run.log(
    `  recovered in ${recoveryMs} ms, of which ${startMs} ms starting processes (heights ${before} -> ${top + 1})`,
  );
  return { fault: name, recoveryMs, startMs, blocksDuringFault: duringTop - before };
}

/** After a failure mid-fault: links healed, paused nodes resumed, nodes down started (the next test starts whole). */
async function restore(cluster: Cluster): Promise<void> {
  cluster.heal();
  for (const n of cluster.nodes) if (n.state === "paused") cluster.resume(n.index);
  await Promise.all(cluster.nodes.map((n) => (n.state === "down" ? cluster.start(n.index) : undefined)));
}

async function topOf(nodes: ClusterNode[]): Promise<number> {
  return Math.max(0, ...(await heads(nodes)).values());
}

/**
 * No quorum: no new height may be decided. A decision whose precommits were already on their
 * way may still land in the first moments; after that, the highest head stays put for
 * `windowMs` (a node behind may still learn, from its side, heights decided before).
 */
async function assertStalled(nodes: ClusterNode[], what: string, windowMs = 6_000): Promise<number> {
  await sleep(3_000);
  const start = await heads(nodes);
  await sleep(windowMs);
  const end = await heads(nodes);
  const top = Math.max(0, ...start.values());
  const past = [...end].filter(([, h]) => h > top + 1);
  if (past.length > 0)
    throw new InvariantError(`progress without a quorum during "${what}": the highest head was ${top}`, [
      ...past.map(([i, h]) => `node ${i}: ${start.get(i)} -> ${h}`),
    ]);
  return Math.max(0, ...end.values());
}
