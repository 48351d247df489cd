/**
 * Contract modules shared between the executors of one parallel engine (its workers and
 * the main thread) while a block runs. Code deployed in a block is prepared (validated,
 * instrumented, probed, compiled by V8: `moduleCache.ts`) by the worker that ran the
 * deployment, and paid for there once (`GAS.DEPLOY_BYTE`, `GAS.COMPILE_MODULE`). Without
 * sharing, every other worker that ran a call to it prepared it again, and so did the main
 * thread when the block committed: (workers + 1) preparations for one paid
 * (`bench/sameBlockCode.ts`).
 *
 * So a cache that prepares code on a miss `publish`es the result to its peers: the
 * prepared form (`preparedForm.ts`: plain bytes and numbers) and the compiled
 * `WebAssembly.Module`, which crosses threads by structured clone without compiling again.
 * A peer `receive`s, synchronously (`receiveMessageOnPort`), everything published so far
 * before preparing code itself. A deployment's code becomes visible to other transactions
 * only once its incarnation has finished, after the publication: a call in another worker
 * finds the module already sent. Gas never depends on any of this: a deployment pays its
 * compile by rule, by the code's size, and a call never pays for compiling.
 *
 * One port per peer (a `MessageChannel` between every two executors, made by the engine);
 * a module is tagged with the preparation it was made with (metering, start snapshots),
 * and a peer preparing differently ignores it.
 */
import { type MessagePort, receiveMessageOnPort } from "node:worker_threads";
import type { PreparedContract } from "./preparedForm.js";

/** One module as it crosses to a peer. */
interface PeerModule {
  kind: "weft-module";
  /** How it was prepared (`variantOf`): a peer only takes modules prepared as its own are. */
  variant: string;
  codeHash: string;
  prepared: PreparedContract;
  module: WebAssembly.Module;
}

export interface ModulePeers {
  /** Sends a module this thread prepared to every peer. */
  publish(codeHash: string, prepared: PreparedContract, module: WebAssembly.Module): void;
  /** Hands every module peers have sent since the last call to `take`, in the order sent. */
  receive(take: (codeHash: string, prepared: PreparedContract, module: WebAssembly.Module) => void): void;
  close(): void;
}

/** The preparation a module was made with. */
export function variantOf(metering: boolean, startSnapshots: boolean): string {
  return `${metering ? "metered" : "plain"}/${startSnapshots ? "snapshots" : "no-snapshots"}`;
}

/** Peers over `ports` (one per other executor), for modules prepared as `variant`. */
export function modulePeers(ports: readonly MessagePort[], variant: string): ModulePeers {
  return {
    publish(codeHash, prepared, module) {
      const message: PeerModule = { kind: "weft-module", variant, codeHash, prepared, module };
      for (const port of ports) port.postMessage(message);
    },
    receive(take) {
      for (const port of ports) {
        for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
          const message = m.message as PeerModule;
          if (message?.kind === "weft-module" && message.variant === variant)
            take(message.codeHash, message.prepared, message.module);
        }
      }
    },
    close() {
      for (const port of ports) port.close();
    },
  };
}
