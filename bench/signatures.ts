/**
 * Signature verification throughput per account scheme, on one core and on a pool of
 * worker threads (one per core): the ceiling the node's end-to-end throughput is
 * measured against (every transaction's authorisation is verified once, at admission).
 *
 *   node dist/bench/signatures.js [--keys 200] [--rounds 5]
 *
 * Prints a table, writes bench/results/signatures.json and signatures.svg.
 */
import { availableParallelism } from "node:os";
import type { Address } from "../src/codec/address.js";
import { ed25519Signer, passkeySigner, secp256k1Signer } from "../src/sdk/signers.js";
import { benchArgs } from "./lib/args.js";
import { barChartSvg, writeSvg } from "./lib/plot.js";
import { machineInfo, printTable, writeJson } from "./lib/report.js";
import { type SignatureCase, verifyRateOneCore, verifyRatePool } from "./lib/signatureCeiling.js";

const args = benchArgs("node dist/bench/signatures.js [--keys 200] [--rounds 5]", {
  options: { keys: { type: "string", default: "200" }, rounds: { type: "string", default: "5" } },
});
const keys = Number(args.keys);
const rounds = Number(args.rounds);
const message = new Uint8Array(32).map((_, i) => (i * 13) & 0xff);

function cases(): SignatureCase[] {
  const ed: SignatureCase = { scheme: "ed25519", message, items: [] };
  const k1: SignatureCase = { scheme: "secp256k1", message, items: [] };
  const p256: SignatureCase = { scheme: "webauthn-p256", message, items: [] };
  const none = "0x0000000000000000000000000000000000000000" as Address;
  for (let i = 0; i < keys; i++) {
    const e = ed25519Signer();
    ed.items.push({ key: e.publicKey, address: none, signature: e.sign(message) });
    const s = secp256k1Signer((i % 250) + 1);
    k1.items.push({ key: new Uint8Array(0), address: s.address, signature: s.sign(message) });
    const p = passkeySigner();
    p256.items.push({
      key: p.publicKey,
      address: none,
      signature: new Uint8Array(0),
      assertion: p.assert(message),
    });
  }
  return [ed, k1, p256];
}

const cores = availableParallelism();
const rows: Array<{ scheme: string; oneCore: number; pool: number; workers: number; usPerVerify: number }> =
  [];
for (const c of cases()) {
  const one = verifyRateOneCore(c, rounds);
  const pool = await verifyRatePool(c, cores, rounds);
  rows.push({
    scheme: c.scheme,
    oneCore: Math.round(one.perSecond),
    pool: Math.round(pool),
    workers: cores,
    usPerVerify: Math.round(one.usPerVerify * 10) / 10,
  });
}
console.log(`signature verification: ${keys} keys x ${rounds} rounds; ${cores} cores`);
printTable(
  ["scheme", "µs/verify", "verify/s (1 core)", `verify/s (${cores} workers)`],
  rows.map((r) => [r.scheme, r.usPerVerify, r.oneCore, r.pool]),
);
writeJson("bench/results/signatures.json", { machine: machineInfo(), params: { keys, rounds }, rows });
writeSvg(
  "bench/results/signatures.svg",
  barChartSvg(
    "Signature verifications per second",
    "verify/s",
    rows.flatMap((r) => [
      { label: `${r.scheme} (1 core)`, value: r.oneCore },
      { label: `${r.scheme} (${r.workers} workers)`, value: r.pool },
    ]),
  ),
);
console.log("wrote bench/results/signatures.svg");
