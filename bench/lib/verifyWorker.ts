/** Worker for bench/lib/signatureCeiling.ts: verifies a batch of signatures of one scheme and reports the time. */
import { parentPort } from "node:worker_threads";
import { verifyEd25519, verifySecp256k1, verifyWebAuthn } from "../../src/chain/tx/signatures.js";
import type { Address } from "../../src/codec/address.js";

export interface SignatureCase {
  scheme: "ed25519" | "secp256k1" | "webauthn-p256";
  message: Uint8Array;
  items: Array<{ key: Uint8Array; address: Address; signature: Uint8Array; assertion?: unknown }>;
}

export function verifyAll(c: SignatureCase, rounds: number): number {
  let ok = 0;
  for (let r = 0; r < rounds; r++) {
    for (const item of c.items) {
      if (c.scheme === "ed25519") ok += verifyEd25519(item.key, c.message, item.signature) ? 1 : 0;
      else if (c.scheme === "secp256k1")
        ok += verifySecp256k1(item.address, c.message, item.signature) ? 1 : 0;
      else ok += verifyWebAuthn(item.key, c.message, item.assertion as never) ? 1 : 0;
    }
  }
  return ok;
}

parentPort?.on("message", (m: { c: SignatureCase; rounds: number }) => {
  verifyAll(m.c, 1); // warm up
  const started = performance.now();
  const ok = verifyAll(m.c, m.rounds);
  parentPort?.postMessage({ ms: performance.now() - started, ok });
});
