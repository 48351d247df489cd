/**
 * Running the probes of `calibrationProbes.ts` through the chain's own transaction path
 * (`executeTransaction` on one VM) and turning times and gas into ns per gas.
 *
 * A row is measured at two workloads (two loop counts, or two byte counts) in the same
 * rounds, and only the difference counts: the transaction's fixed costs cancel. Rows
 * marked `baseline` also subtract the empty loop at the same counts, so they measure
 * their operation alone. Each workload's time is the fastest of the rounds: the machine
 * is shared, and other work only ever adds time.
 */
import { createPrivateKey, generateKeyPairSync, sign } from "node:crypto";
import { executeTransaction } from "../../src/chain/executeTransaction.js";
import { genesisWrites } from "../../src/chain/genesis.js";
import type { Receipt } from "../../src/chain/receipt.js";
import type { CallTx, DeployTx, Transaction } from "../../src/chain/transaction.js";
import type { Address } from "../../src/codec/address.js";
import { blsKeyFromSeed, blsSign } from "../../src/codec/bls.js";
import { keccak256 } from "../../src/codec/hash.js";
import { secp256k1Signer } from "../../src/sdk/signers.js";
import type { StateKey, StateValue } from "../../src/state/keys.js";
import { MemoryNodeStore, MerkleTree } from "../../src/state/merkle/index.js";
import type { WriteSet } from "../../src/state/storage.js";
import { MAX_TX_GAS } from "../../src/vm/limits.js";
import { createVm, type Vm } from "../../src/vm/vm.js";
import { EMPTY_LOOP, type ProbeRow, probeModule } from "./calibrationProbes.js";
import { createRng, median } from "./report.js";

export interface CalibrationRow {
  name: string;
  group: string;
  unit: string;
  /** Per unit of the row (an operation, a byte, a page). */
  nsPerUnit: number;
  gasPerUnit: number;
  nsPerGas: number;
  /** Priced by a budget other than time (see `ProbeRow.budget`): not part of the median. */
  budget: boolean;
  /** How far the rounds spread, for rows whose `nsPerUnit` is fitted over every round. */
  spread?: { of: string; min: number; q1: number; median: number; q3: number; max: number };
}

const SENDER: Address = "0x00000000000000000000000000000000000a11ce";
const OTHER: Address = "0x0000000000000000000000000000000000000b0b";
const BLOCK = { height: 7n, time: 1_700_000_000n, chainId: 1337n, feeRecipient: OTHER };

/** The chain state the probes run on, the VM, and the Merkle tree a commit row updates. */
export class Bench {
  readonly state = new Map<StateKey, StateValue>();
  readonly vm: Vm = createVm();
  readonly view = { read: (key: StateKey) => this.state.get(key) };
  private salt = 0;
  private aux = 0;
  private merkle: MemoryNodeStore | undefined;
  callee: Address = OTHER;

  constructor(readonly rounds: number) {
    for (const [k, v] of genesisWrites({ balances: [[SENDER, 10n ** 30n]] }))
      if (v !== null) this.state.set(k, v);
  }

  run(tx: Transaction): { receipt: Receipt; writes: WriteSet; ms: number } {
    const start = performance.now();
    const out = executeTransaction(this.vm, BLOCK, this.view, tx);
    return { receipt: out.receipt, writes: out.writes, ms: performance.now() - start };
  }

  apply(writes: WriteSet): void {
    for (const [k, v] of writes) {
      if (v === null) this.state.delete(k);
      else this.state.set(k, v);
    }
  }

  deployTx(code: Uint8Array): DeployTx {
    const salt = new Uint8Array(32);
    new DataView(salt.buffer).setUint32(0, ++this.salt);
    return {
      kind: "deploy",
      from: SENDER,
      code,
      args: new Uint8Array(0),
      salt,
      value: 0n,
      gasLimit: MAX_TX_GAS,
      gasPrice: 0n,
    };
  }

  deploy(code: Uint8Array): Address {
    const out = this.run(this.deployTx(code));
    if (out.receipt.status !== "success" || out.receipt.contractAddress === undefined)
      throw new Error(`probe deployment failed: ${out.receipt.status} ${out.receipt.invalidReason ?? ""}`);
    this.apply(out.writes);
    return out.receipt.contractAddress;
  }

  callTx(to: Address, method: string, input: Uint8Array, value = 0n): CallTx {
    return { kind: "call", from: SENDER, to, method, args: input, value, gasLimit: MAX_TX_GAS, gasPrice: 0n };
  }

  /** The probe's input: n, len, a fresh aux, the callee, signatures for `needs`. */
  input(row: ProbeRow, n: number, len: number): Uint8Array {
    const extra = row.inputBytes === true ? len : 0;
    const input = new Uint8Array(512 + extra);
    const dv = new DataView(input.buffer);
    dv.setUint32(0, n, true);
    dv.setUint32(4, len, true);
    dv.setUint32(8, ++this.aux, true);
    input.set(Buffer.from(this.callee.slice(2), "hex"), 16);
    input[36] = 1;
    const signed = SIGNATURES[row.needs ?? ""];
    if (signed !== undefined) {
      input.set(signed.key, 64);
      input.set(signed.signature, 160);
      input.set(signed.message, 256);
    }
    return input;
  }

  /** One timed call of the probe; throws unless it succeeded. */
  measureCall(to: Address, row: ProbeRow, n: number, len: number): { ms: number; gas: number } {
    const tx = this.callTx(to, "run", this.input(row, n, len), row.needs === "coin" ? 10n ** 9n : 0n);
    const out = this.run(tx);
    if (out.receipt.status !== "success")
      throw new Error(`probe ${row.name} (n ${n}, len ${len}): ${out.receipt.status}`);
    let ms = out.ms;
    if (row.commit === true) {
      const store = this.merkleStore();
      const start = performance.now();
      new MerkleTree(store).update(out.writes);
      ms += performance.now() - start;
    }
    return { ms, gas: out.receipt.gasUsed };
  }

  /** A Merkle tree of 50,000 balance-shaped keys, built once. */
  merkleStore(): MemoryNodeStore {
    if (this.merkle !== undefined) return this.merkle;
    const rng = createRng(12);
    const writes: WriteSet = new Map();
    while (writes.size < 50_000) {
      const key = `01${Array.from({ length: 20 }, () =>
        Math.floor(rng() * 256)
          .toString(16)
          .padStart(2, "0"),
      ).join("")}`;
      writes.set(key, new Uint8Array(16).fill(writes.size & 0xff));
    }
    const store = new MemoryNodeStore();
    const tree = new MerkleTree(store);
    store.apply(tree.update(writes).nodeWrites);
    this.merkle = store;
    return store;
  }
}

interface Signed {
  key: Uint8Array;
  signature: Uint8Array;
  message: Uint8Array;
}

const MESSAGE = new Uint8Array(32).map((_, i) => i * 7);

function signatures(): Record<string, Signed> {
  const ed = generateKeyPairSync("ed25519");
  const edKey = new Uint8Array(
    Buffer.from((ed.publicKey.export({ format: "jwk" }) as { x: string }).x, "base64url"),
  );
  const p = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = p.publicKey.export({ format: "jwk" }) as { x: string; y: string };
  const pKey = new Uint8Array(65);
  pKey[0] = 4;
  pKey.set(Buffer.from(jwk.x, "base64url"), 1);
  pKey.set(Buffer.from(jwk.y, "base64url"), 33);
  const k1 = secp256k1Signer(3);
  const bls = blsKeyFromSeed(new Uint8Array(32).fill(3));
  return {
    ed25519: { key: edKey, signature: new Uint8Array(sign(null, MESSAGE, ed.privateKey)), message: MESSAGE },
    p256: {
      key: pKey,
      signature: lowS(
        new Uint8Array(
          sign("sha256", MESSAGE, {
            key: createPrivateKey(p.privateKey.export({ format: "pem", type: "pkcs8" })),
            dsaEncoding: "ieee-p1363",
          }),
        ),
      ),
      message: MESSAGE,
    },
    secp256k1: { key: new Uint8Array(0), signature: k1.sign(MESSAGE), message: keccak256(MESSAGE) },
    bls: { key: bls.publicKey, signature: blsSign(bls.secret, MESSAGE), message: MESSAGE },
  };
}

/** P-256's group order. */
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/**
 * A P-256 signature `r ‖ s` in the form the chain accepts (s ≤ n/2, `codec/signatures.ts`):
 * node's signer gives either half at random, and a high-S one made the probes revert.
 */
function lowS(signature: Uint8Array): Uint8Array {
  const s = BigInt(`0x${Buffer.from(signature.subarray(32)).toString("hex")}`);
  if (s <= P256_N / 2n) return signature;
  const out = Uint8Array.from(signature);
  out.set(Buffer.from((P256_N - s).toString(16).padStart(64, "0"), "hex"), 32);
  return out;
}

const SIGNATURES = signatures();

/** Times `measure(a)` and `measure(b)` interleaved over the rounds (after a warm-up); the fastest of each (or the median). */
function pair(
  rounds: number,
  measure: (which: 0 | 1) => { ms: number; gas: number },
  amortized = false,
): [{ ms: number; gas: number }, { ms: number; gas: number }] {
  const pick = amortized ? median : (xs: number[]) => Math.min(...xs);
  measure(0);
  measure(1);
  const ms: [number[], number[]] = [[], []];
  const gas: [number, number] = [0, 0];
  for (let r = 0; r < rounds; r++) {
    for (const which of [0, 1] as const) {
      const m = measure(which);
      ms[which].push(m.ms);
      gas[which] = m.gas;
    }
  }
  return [
    { ms: pick(ms[0]), gas: gas[0] },
    { ms: pick(ms[1]), gas: gas[1] },
  ];
}

/** Time one sample should take: short enough to run between two of the OS's time slices. */
const SAMPLE_MS = 2;

/** `vary` with its loop counts scaled by `f` (at least one iteration apart). */
function scaled(vary: ProbeRow["vary"], f: number): ProbeRow["vary"] {
  if (vary.by === "len") return { by: "len", n: Math.max(1, Math.floor(vary.n * f)), len: vary.len };
  const low = Math.floor(vary.n[0] * f);
  return { by: "n", n: [low, Math.max(low + 1, Math.floor(vary.n[1] * f))] };
}

/**
 * Scales a row's workload down until its larger end fits in one transaction's gas, then
 * until it takes about `SAMPLE_MS` (on a shared machine, short samples are the ones that
 * run undisturbed, and the fastest of many rounds is kept).
 */
function fitted(bench: Bench, to: Address, row: ProbeRow): ProbeRow {
  let vary = row.vary;
  for (let k = 0; k < 12; k++) {
    const n = vary.by === "n" ? vary.n[1] : vary.n;
    const len = vary.by === "len" ? vary.len[1] : 0;
    try {
      const ms = Math.min(...[0, 1, 2].map(() => bench.measureCall(to, row, n, len).ms));
      if (ms > SAMPLE_MS && row.name !== "memory.grow") vary = scaled(vary, SAMPLE_MS / ms);
      return { ...row, vary };
    } catch {
      vary =
        vary.by === "n"
          ? { by: "n", n: [Math.floor(vary.n[0] / 4), Math.max(1, Math.floor(vary.n[1] / 4))] }
          : { by: "len", n: Math.max(1, Math.floor(vary.n / 4)), len: vary.len };
    }
  }
  throw new Error(`probe ${row.name} does not fit in one transaction`);
}

/** Measures one probe row. */
export function measureRow(bench: Bench, row: ProbeRow): CalibrationRow {
  const to = bench.deploy(probeModule(row.pre ?? "", row.body));
  const fit = fitted(bench, to, row);
  const v = fit.vary;
  const at = (which: 0 | 1) =>
    v.by === "n" ? bench.measureCall(to, fit, v.n[which], 0) : bench.measureCall(to, fit, v.n, v.len[which]);
  const [a, b] = pair(bench.rounds, at, row.amortized === true);
  let ms = b.ms - a.ms;
  let gas = b.gas - a.gas;
  if (fit.baseline === true && v.by === "n") {
    const loop = bench.deploy(probeModule("", EMPTY_LOOP.body));
    const [la, lb] = pair(bench.rounds, (which) => bench.measureCall(loop, EMPTY_LOOP, v.n[which], 0));
    ms -= lb.ms - la.ms;
    gas -= lb.gas - la.gas;
  }
  const units = v.by === "n" ? v.n[1] - v.n[0] : v.n * (v.len[1] - v.len[0]);
  return result(row.name, row.group, row.unit, (ms * 1e6) / units, gas / units, row.budget === true);
}

export function result(
  name: string,
  group: string,
  unit: string,
  nsPerUnit: number,
  gasPerUnit: number,
  budget = false,
): CalibrationRow {
  const nsPerGas = gasPerUnit > 0 ? nsPerUnit / gasPerUnit : Number.POSITIVE_INFINITY;
  return { name, group, unit, nsPerUnit, gasPerUnit, nsPerGas, budget };
}
