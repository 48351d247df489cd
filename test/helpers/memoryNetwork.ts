/**
 * In-process validator networks for tests of ChainNodes under consensus: a transport on which
 * every message reaches every other node after 1-10 ms, the consensus timeouts those tests run
 * with, and a wait on a condition.
 */
import type { TimeoutConfig } from "../../src/consensus/timeouts.js";

/** A node's side of `memoryNetwork`. */
export type MemoryTransport = {
  broadcast(bytes: Uint8Array): void;
  onMessage(h: (b: Uint8Array, from: string) => void): void;
};

/** `n` transports: every message reaches every other node after 1-10 ms, from `node<i>`. */
export function memoryNetwork(n: number): MemoryTransport[] {
  const handlers: Array<(bytes: Uint8Array, from: string) => void> = [];
  return Array.from({ length: n }, (_, i) => ({
    broadcast(bytes: Uint8Array) {
      for (const [j, handler] of handlers.entries()) {
        if (j !== i) setTimeout(() => handler(bytes, `node${i}`), 1 + Math.random() * 9);
      }
    },
    onMessage(handler: (bytes: Uint8Array, from: string) => void) {
      handlers[i] = handler;
    },
  }));
}

/** The timeouts of the in-process validator networks (blocks executed by every node on a loaded machine). */
export const NETWORK_TIMEOUTS: TimeoutConfig = {
  propose: { baseMs: 1500, incrementMs: 500 },
  prevote: { baseMs: 500, incrementMs: 250 },
  precommit: { baseMs: 500, incrementMs: 250 },
};

/** Waits until `done()` holds, looking every 50 ms, at most `ms`; resolves with `done()`. */
export async function until(done: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  return done();
}
