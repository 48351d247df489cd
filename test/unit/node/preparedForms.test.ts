/**
 * A node keeps each stored contract's prepared form (`vm/preparedForm.ts`) so that a
 * restart only has V8 compile it, instead of validating, instrumenting and probing every
 * contract again (about 5 ms per 24 KB: an attacker deploying thousands of contracts made
 * every restart slow, unpaid). The form is derived data: a restart with the forms kept,
 * deleted or damaged gives the same blocks, receipts and gas, in parallel and in sequence;
 * damaged forms are refused, prepared again and replaced; `weft db check` ignores them.
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { probeModule } from "../../../bench/lib/calibrationProbes.js";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import { type Address, contractAddress } from "../../../src/codec/address.js";
import { keccak256 } from "../../../src/codec/hash.js";
import { ChainNode, type ChainNodeOptions } from "../../../src/node/chainNode.js";
import { readSequence } from "../../../src/node/producer.js";
import { PREPARED_DIR } from "../../../src/node/store/preparedFiles.js";
import { cachedModule, compileContract, prepareContract } from "../../../src/vm/moduleCache.js";
import { decodePrepared, encodePrepared } from "../../../src/vm/preparedForm.js";
import { flipByte, runDbCheck } from "../../helpers/chainDir.js";
import { callsRaw, deployRaw } from "../../helpers/nodeTx.js";

const SENDERS = 4;
const PROBES = 6;
const TIME = 1_900_000_000;
const options = (dir: string, parallel: boolean): ChainNodeOptions => ({
  dataDir: dir,
  chainId: 1337n,
  feeRecipient: "0x00000000000000000000000000000000000000fe",
  devAccounts: SENDERS,
  workers: 2,
  minParallelTxs: parallel ? 0 : 1_000_000,
  blockTimeMs: 1_000,
  maxBlockTxs: 1_000,
  blockGasLimit: 3_000_000_000,
});

describe("prepared forms: encoding", () => {
  for (const name of ["token", "pair", "router", "staking", "lending", "counter"]) {
    it(`${name}: the decoded form gives the module compiling gives; any damage is refused`, () => {
      const code = loadArtifact(name).code;
      const hash = keccak256(code);
      const form = encodePrepared(hash, prepareContract(code).prepared);
      const decoded = decodePrepared(form, hash, code.length);
      assert.ok(decoded !== undefined);
      const { module: _m, ...fromForm } = cachedModule(decoded);
      const { module: _c, ...compiled } = compileContract(code);
      assert.deepEqual(fromForm, compiled);
      // A flipped byte anywhere, a cut, another code's hash or length: refused.
      for (const at of [0, 40, 70, Math.floor(form.length / 2), form.length - 1])
        assert.equal(decodePrepared(flipByte(form, at), hash, code.length), undefined, `byte ${at}`);
      assert.equal(decodePrepared(form.subarray(0, form.length - 1), hash, code.length), undefined);
      assert.equal(decodePrepared(form, keccak256(new Uint8Array([1])), code.length), undefined);
      assert.equal(decodePrepared(form, hash, code.length + 1), undefined);
    });
  }
});

describe("prepared forms: a restarted node", () => {
  let base = "";
  let built = "";
  const probes: Address[] = [];
  let senders: Address[] = [];
  let wusd: Address;

  before(async () => {
    base = mkdtempSync(join(tmpdir(), "weft-prepared-"));
    built = join(base, "built");
    const node = await ChainNode.open(options(built, true));
    try {
      senders = node.genesis.accounts.map((a) => a.address as Address);
      wusd = node.genesis.contracts.wusd as Address;
      for (let i = 0; i < PROBES; i++) {
        const code = probeModule("", "", 3, 900 + i);
        const salt = new Uint8Array(32);
        probes.push(contractAddress(senders[0] as Address, salt, keccak256(code), new Uint8Array(0)));
        node.submit(
          deployRaw(
            {
              chainId: 1337n,
              sender: senders[0] as Address,
              devIndex: 0,
              sequence: BigInt(i),
              gasLimit: 50_000_000n,
            },
            code,
            salt,
          ),
        );
      }
      const produced = await node.produceNow();
      assert.ok(produced !== undefined);
      for (const r of produced.receipts) assert.equal(r.status, "success", JSON.stringify(r));
    } finally {
      await node.close();
    }
  });
  after(() => rmSync(base, { recursive: true, force: true }));

  const copy = (name: string): string => {
    const dir = join(base, name);
    cpSync(built, dir, { recursive: true });
    return dir;
  };

  /** Opens `dir`, checks how its code was loaded, produces the same block, returns what it gave. */
  async function restart(dir: string, parallel: boolean, expect: "restored" | "prepared") {
    const node = await ChainNode.open(options(dir, parallel));
    try {
      const stats = node.vm.cache.stats;
      const held = node.vm.cache.size;
      assert.ok(held >= PROBES + 2, `${held} modules held`);
      if (expect === "restored") assert.deepEqual([stats.restored, stats.compiles], [held, 0], dir);
      else assert.deepEqual([stats.restored, stats.compiles], [0, held], dir);
      for (const [i, sender] of senders.entries()) {
        const sequence = readSequence(node.state, sender, 0n);
        const calls = [
          {
            target: wusd,
            method: "transfer",
            args: encodeAbi(["address", "u128"], [probes[i], 7n]),
            value: 0n,
          },
          ...probes.map((target) => ({ target, method: "noop", args: new Uint8Array(0), value: 0n })),
        ];
        node.submit(
          callsRaw({ chainId: 1337n, sender, devIndex: i, sequence, gasLimit: 50_000_000n }, calls),
        );
      }
      node.clock.setNext(TIME);
      const produced = await node.produceNow();
      assert.ok(produced !== undefined);
      assert.equal(produced.block.execution?.mode, parallel ? "parallel" : "sequential-small");
      for (const r of produced.receipts) assert.equal(r.status, "success", JSON.stringify(r));
      return { header: produced.block.header, receipts: produced.receipts };
    } finally {
      await node.close();
    }
  }

  it("kept, deleted or damaged forms: the same block, receipts and gas, parallel and sequential; damaged forms are replaced", async () => {
    const sequential = await restart(copy("sequential"), false, "restored");
    const kept = await restart(copy("kept"), true, "restored");
    const deleted = copy("deleted");
    const forms = readdirSync(join(deleted, PREPARED_DIR)).length;
    assert.ok(forms >= PROBES + 2, `${forms} forms were kept`);
    rmSync(join(deleted, PREPARED_DIR), { recursive: true });
    const withoutForms = await restart(deleted, true, "prepared");
    // Damaged in every way: a flipped byte (checksum), one code's form under another's hash, a cut.
    const damaged = copy("damaged");
    const files = readdirSync(join(damaged, PREPARED_DIR)).map((name) => join(damaged, PREPARED_DIR, name));
    const contents = files.map((file) => new Uint8Array(readFileSync(file)));
    for (const [i, file] of files.entries()) {
      const value = contents[i] as Uint8Array;
      const other = contents[(i + 1) % contents.length] as Uint8Array;
      writeFileSync(
        file,
        i % 3 === 0 ? flipByte(value, 100 + i) : i % 3 === 1 ? other : value.subarray(0, 50),
      );
    }
    const fromDamaged = await restart(damaged, true, "prepared");
    for (const [name, run] of Object.entries({ kept, withoutForms, fromDamaged })) {
      assert.deepEqual(run.receipts, sequential.receipts, `${name}: receipts and gas`);
      assert.equal(run.header.stateRoot, sequential.header.stateRoot, `${name}: state root`);
      assert.equal(run.header.hash, sequential.header.hash, `${name}: block hash`);
    }
    // The forms prepared again replaced the missing and damaged ones.
    const node = await ChainNode.open(options(damaged, true));
    try {
      assert.equal(node.vm.cache.stats.compiles, 0, "nothing prepared on the next start");
      assert.equal(node.vm.cache.stats.restored, node.vm.cache.size);
    } finally {
      await node.close();
    }
  });

  it("weft db check ignores the forms (not the chain database): a chain with damaged forms checks clean", async () => {
    const dir = copy("check");
    for (const name of readdirSync(join(dir, PREPARED_DIR))) {
      const file = join(dir, PREPARED_DIR, name);
      writeFileSync(file, flipByte(new Uint8Array(readFileSync(file)), 10));
    }
    const check = runDbCheck(dir);
    assert.equal(check.code, 0, check.out + check.err);
  });
});
