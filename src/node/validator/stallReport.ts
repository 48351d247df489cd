/**
 * A stall report in the node's log: while consensus has committed nothing for `afterMs`,
 * every `afterMs` one warning says where it stands (height, round, step, whose votes it holds
 * per round, its queue) and whether gossip reaches each connected peer (`net/gossipLinks.ts`).
 * An operator, and the e2e suite's saved logs, can then tell a network fault (no votes
 * arriving, links broken) from a consensus one (votes arriving, no rule firing).
 *
 * The same timer notices the main thread held: a tick `blockedMs` (5 s) or more late logs
 * "main thread held" with how long and where consensus was, since a node whose thread is held
 * answers no RPC and no peer (the e2e suite once saw two nodes answer no RPC for 180 s).
 */
import type { ConsensusDriver } from "../../consensus/driver.js";
import type { P2pNode } from "../../net/p2pNode.js";

export type StallLog = (level: "info" | "warn", message: string, fields?: Record<string, unknown>) => void;

export function startStallReport(
  driver: ConsensusDriver,
  p2p: P2pNode,
  log: StallLog,
  afterMs = 15_000,
  blockedMs = 5_000,
): { close(): void } {
  let height = driver.currentHeight;
  let since = Date.now();
  let reported = since;
  const every = Math.max(1_000, Math.floor(afterMs / 5));
  let lastTick = since;
  const timer = setInterval(() => {
    const now = Date.now();
    const late = now - lastTick - every;
    lastTick = now;
    if (late >= blockedMs)
      log("warn", "main thread held", {
        lateMs: late,
        height: driver.currentHeight,
        round: driver.machine.round,
        step: driver.machine.step,
      });
    if (driver.currentHeight !== height) {
      height = driver.currentHeight;
      since = now;
      reported = now;
      return;
    }
    if (now - since < afterMs || now - reported < afterMs) return;
    reported = now;
    void p2p
      .gossipLinks()
      .then((links) =>
        log("warn", "consensus stalled", {
          forMs: now - since,
          consensus: driver.status(),
          peers: p2p.connectedPeers().length,
          gossip: p2p.gossip.stats,
          deliveredFrom: Object.fromEntries(p2p.gossip.delivered),
          gossipRepairs: p2p.gossipRepairs,
          links,
        }),
      )
      .catch(() => undefined);
  }, every);
  timer.unref();
  return { close: () => clearInterval(timer) };
}
