/**
 * Ethereum sender recovery (secp256k1 public key recovery from a 65-byte signature and a
 * 32-byte hash): @noble/curves (what `@ethereumjs/tx` uses, `evm/ethTx.ts`) beside the other
 * npm options, each over the same signatures, rounds interleaved.
 *
 *   node dist/bench/ethRecover.js [--sigs 300] [--rounds 5] [--from <dir with node_modules>]
 *
 * Other libraries are optional and not dependencies of Weft: they are loaded from
 * `--from` (a folder whose `node_modules` has them) when present: `secp256k1` (native
 * libsecp256k1 addon, prebuilt), `tiny-secp256k1` (libsecp256k1 compiled to WebAssembly),
 * `@noble/secp256k1` (pure JS). Every row's recovered key is checked against the signer's.
 * Prints recoveries per second (median); writes bench/results/eth-recover.json.
 */
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak256 } from "../src/codec/hash.js";
import { benchArgs } from "./lib/args.js";
import { machineInfo, median, printTable, writeJson } from "./lib/report.js";

const args = benchArgs("node dist/bench/ethRecover.js [--sigs 300] [--rounds 5] [--from <dir>]", {
  options: {
    sigs: { type: "string", default: "300" },
    rounds: { type: "string", default: "5" },
    from: { type: "string", default: "" },
  },
});
const SIGS = Number(args.sigs);
const ROUNDS = Number(args.rounds);

interface Case {
  hash: Uint8Array;
  /** r ‖ s, 64 bytes. */
  compact: Uint8Array;
  recovery: number;
  /** Uncompressed public key, 65 bytes. */
  publicKey: Uint8Array;
}

const cases: Case[] = [];
for (let i = 0; i < SIGS; i++) {
  const key = keccak256(new TextEncoder().encode(`recover ${i}`));
  const hash = keccak256(new TextEncoder().encode(`message ${i}`));
  const signed = secp256k1.sign(hash, key, { prehash: false, format: "recovered" });
  cases.push({
    hash,
    recovery: signed[0] as number,
    compact: signed.subarray(1),
    publicKey: secp256k1.getPublicKey(key, false),
  });
}

type Recover = (c: Case) => Uint8Array;
const rows: Array<[string, Recover]> = [
  [
    "@noble/curves 2.x (in use)",
    (c) =>
      secp256k1.Signature.fromBytes(c.compact)
        .addRecoveryBit(c.recovery)
        .recoverPublicKey(c.hash)
        .toBytes(false),
  ],
];

if (args.from !== "") {
  const load = createRequire(join(resolve(args.from), "package.json"));
  const optional = (module: string, name: string, make: (lib: never) => Recover) => {
    try {
      rows.push([name, make(load(module) as never)]);
    } catch (error) {
      console.log(
        `${name}: not loaded (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`,
      );
    }
  };
  optional(
    "secp256k1",
    "secp256k1 (native addon)",
    (lib: { ecdsaRecover(s: Uint8Array, r: number, m: Uint8Array, c: boolean): Uint8Array }) => (c) =>
      lib.ecdsaRecover(c.compact, c.recovery, c.hash, false),
  );
  optional(
    "tiny-secp256k1",
    "tiny-secp256k1 (wasm)",
    (lib: { recover(h: Uint8Array, s: Uint8Array, r: number, c: boolean): Uint8Array | null }) => (c) =>
      lib.recover(c.hash, c.compact, c.recovery as 0 | 1, false) ?? new Uint8Array(0),
  );
  optional(
    "@noble/secp256k1",
    "@noble/secp256k1 3.x (JS)",
    (lib: { recoverPublicKey(sig: Uint8Array, msg: Uint8Array, o: object): Uint8Array; etc: unknown }) =>
      (c) => {
        const sig = new Uint8Array(65);
        sig[0] = c.recovery;
        sig.set(c.compact, 1);
        return lib.recoverPublicKey(sig, c.hash, { prehash: false, isCompressed: false });
      },
  );
}

for (const [name, recover] of rows) {
  for (const c of cases.slice(0, 5)) {
    const key = recover(c);
    const same = key.length === 65 ? Buffer.compare(Buffer.from(key), Buffer.from(c.publicKey)) === 0 : false;
    if (!same) throw new Error(`${name} recovered a different key`);
  }
}

const perSecond = new Map<string, number[]>(rows.map(([name]) => [name, []]));
for (let round = 0; round <= ROUNDS; round++) {
  for (const [name, recover] of rows) {
    const started = performance.now();
    for (const c of cases) recover(c);
    const seconds = (performance.now() - started) / 1000;
    if (round > 0) perSecond.get(name)?.push(SIGS / seconds);
  }
}
const base = median(perSecond.get(rows[0]?.[0] as string) ?? []);
printTable(
  ["library", "recoveries/s (median)", "µs each", "× @noble/curves"],
  rows.map(([name]) => {
    const rate = median(perSecond.get(name) ?? []);
    return [name, rate.toFixed(0), (1e6 / rate).toFixed(1), (rate / base).toFixed(2)];
  }),
);
writeJson("bench/results/eth-recover.json", {
  machine: machineInfo(),
  sigs: SIGS,
  rounds: ROUNDS,
  perSecond: Object.fromEntries(perSecond),
});
