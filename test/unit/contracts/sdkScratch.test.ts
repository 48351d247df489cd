/**
 * The SDK's scratch ends the start function's snapshot (`contracts/sdk/scratch.ts`): a
 * router swap's frames (the router, the pair's `getReserves` and `swap`, the tokens'
 * `transferFrom`, `transfer` and `balanceOf`) write nothing below the last 2 KiB of their
 * module's snapshot, so the VM writes back only that much of it after each call
 * (`src/vm/instancePool.ts`) instead of the whole 9-11 KiB. Before, the storage, event,
 * call and division scratch lay in static data or early in the start function's objects.
 *
 * The lowest address a call stored at is the instrumented `__weft_low` global
 * (`src/vm/wasm/storeReach.ts`), read here when the dispatcher returns: instances are
 * created through a stand-in for `WebAssembly.Instance` that wraps the dispatcher.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import { keccak256 } from "../../../src/codec/hash.js";
import {
  CALL_EXPORT,
  DISPATCH_SNAPSHOT,
  LOW_GLOBAL,
  MEMORY_IMPORT_MODULE,
} from "../../../src/vm/wasm/index.js";
import { account } from "../../helpers/chain.js";
import { type Contract, TestChain } from "../../helpers/contracts.js";

const [lp, trader] = [account(1), account(2)];
const MAX = (1n << 128n) - 1n;
const DEADLINE = 2_000_000_000n;

/** Per module: the end of its snapshot and the lowest address each call started from it stored at. */
const lows = new Map<WebAssembly.Module, { end: number; lows: number[] }>();
const RealInstance = WebAssembly.Instance;
/** The globals' slots at the top of a one-page memory (`src/vm/wasm/dispatcher.ts`) lie above this. */
const BELOW_GLOBALS = 60 * 1024;

/** One past the last non-zero byte below the globals' slots: where the snapshot's image ends. */
function imageEnd(bytes: Uint8Array): number {
  let end = BELOW_GLOBALS;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return end;
}

function watchingInstance(module: WebAssembly.Module, imports: WebAssembly.Imports): WebAssembly.Instance {
  const real = new RealInstance(module, imports);
  const exports = real.exports as Record<string, unknown>;
  const call = exports[CALL_EXPORT] as ((method: number, mode: number) => void) | undefined;
  const low = exports[LOW_GLOBAL] as WebAssembly.Global | undefined;
  const memory = imports[MEMORY_IMPORT_MODULE]?.memory as WebAssembly.Memory | undefined;
  if (call === undefined || low === undefined || memory === undefined) return real;
  const wrapped = (method: number, mode: number): void => {
    // A call that runs the start function writes all it writes: only snapshot calls count.
    if (mode !== DISPATCH_SNAPSHOT) {
      call(method, mode);
      return;
    }
    const end = imageEnd(new Uint8Array(memory.buffer)); // the pool copied the snapshot in
    call(method, mode);
    const seen = lows.get(module) ?? { end, lows: [] };
    seen.lows.push((low.value as number) >>> 0);
    lows.set(module, seen);
  };
  return { exports: { ...exports, [CALL_EXPORT]: wrapped } } as WebAssembly.Instance;
}

describe("the SDK's scratch at the end of the start snapshot", () => {
  before(() => {
    (WebAssembly as { Instance: unknown }).Instance = watchingInstance;
  });
  after(() => {
    (WebAssembly as { Instance: unknown }).Instance = RealInstance;
  });

  it("a router swap's frames write nothing below their snapshot's last 2 KiB", () => {
    const chain = new TestChain(6);
    chain.deploy("pair", [account(0xa1), account(0xa2)], account(6));
    const factory = chain.deploy("factory", [keccak256(loadArtifact("pair").code)]);
    const router = chain.deploy("router", [factory.address]);
    const tokens = [1, 2].map((i) =>
      chain.deploy("token", [`T${i}`, `T${i}`, 18, 10n ** 30n, lp], lp, new Uint8Array(32).fill(i)),
    ) as [Contract, Contract];
    for (const t of tokens) {
      chain.runOne(t.tx(lp, "transfer", [trader, 10n ** 26n]));
      for (const who of [lp, trader]) chain.runOne(t.tx(who, "approve", [router.address, MAX]));
    }
    const [a, b] = tokens;
    const added = router.send(
      lp,
      "addLiquidity",
      [a.address, b.address, 10n ** 21n, 10n ** 21n, 0n, 0n, lp, DEADLINE],
      {
        gasLimit: 20_000_000,
      },
    );
    assert.equal(added.receipt.status, "success");
    lows.clear();
    const swapped = router.send(trader, "swapExactTokensForTokens", [
      10n ** 18n,
      0n,
      [a.address, b.address],
      trader,
      DEADLINE,
    ]);
    assert.equal(swapped.receipt.status, "success", JSON.stringify(swapped.error));

    // The router, the pair (getReserves, swap) and the two tokens' code (transferFrom, transfer, balanceOf x2).
    assert.equal(lows.size, 3, "three modules ran from their snapshots");
    assert.equal(
      [...lows.values()].reduce((n, m) => n + m.lows.length, 0),
      7,
      "seven frames",
    );
    for (const { end, lows: seen } of lows.values()) {
      assert.ok(end > 8192, `a snapshot of ${end} bytes`);
      for (const low of seen)
        assert.ok(
          low >= end - 2048,
          `a frame stored at ${low}, ${end - low} bytes below its snapshot's end (${end})`,
        );
    }
  });
});
