/**
 * The SDK's scratch memory, made at the very end of the start function.
 *
 * A frame writes the SDK's scratch on almost every call: the storage key and value being
 * handed to the host, the frame's storage cache, the event being built, a call's value
 * and method name, `divWide`'s digits. The VM writes the start function's snapshot back
 * into an instance's memory after a call only from the lowest byte the call changed
 * (`src/vm/instancePool.ts`), so scratch in static data (low in memory) or made early in
 * the start function (below the contract's own objects) made it write back nearly the
 * whole snapshot (~11-14 KiB for the pair, router and token) after every call.
 *
 * Each piece of scratch is made at its first use (a global that starts at 0 or null),
 * and the generated entry file (`entry.gen.ts`) calls `prepareScratch` as its last
 * statement: after every other module's top-level code, so the scratch ends the snapshot
 * (the storage cache last: its zeros lie past the snapshot's last non-zero byte), and a
 * frame that only writes scratch and new objects makes the VM write back a few hundred
 * bytes. A contract whose own top-level code uses the scratch before that still works:
 * the scratch is then simply made earlier.
 */
import { callScratchAt } from "./call";
import { eventWriter } from "./events";
import { storageScratch } from "./storage";
import { cacheMemory } from "./storageCache";
import { divDigits } from "./u128";

/** Makes every piece of the SDK's scratch now (the generated entry file's last statement). */
export function prepareScratch(): void {
  storageScratch();
  eventWriter();
  callScratchAt();
  divDigits();
  cacheMemory();
}
