/** The validator network's genesis file: written and read back, and refused field by field when wrong. */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { pino } from "pino";
import {
  type GenesisFile,
  GenesisFileError,
  genesisToJson,
  parseGenesis,
  readGenesisFile,
  writeGenesisFile,
} from "../../../src/chain/genesisFile.js";
import { blsProofOfPossession } from "../../../src/codec/bls.js";
import { decodeU128 } from "../../../src/engine/deltas.js";
import { ChainNode } from "../../../src/node/chainNode.js";
import { loadConfig } from "../../../src/node/config.js";
import { devAccountAddress } from "../../../src/node/genesis/genesis.js";
import { startNode } from "../../../src/node/server.js";
import { balanceKey } from "../../../src/state/keys.js";
import { blsKey } from "../../helpers/validators.js";

const genesis = (chainId = 7n): GenesisFile => ({
  chainId,
  genesisTime: 1_700_000_000,
  network: {
    validators: [0, 1].map((i) => ({
      operator: devAccountAddress(i),
      blsKey: blsKey(i).publicKey,
      proofOfPossession: blsProofOfPossession(blsKey(i), chainId, devAccountAddress(i)),
      stake: 10n ** 21n,
      commissionBps: 500,
    })),
    activeSize: 4,
    epochLength: 100n,
    jailSeconds: 600n,
    evidenceAge: 100n,
    unbondingSeconds: 86_400n,
    blockReward: 10n ** 18n,
  },
});

function genesisJson(): unknown {
  return JSON.parse(JSON.stringify(genesisToJson(genesis())));
}

import { genesisNewArgs, weftLocal } from "../../helpers/weftCli.js";

describe("genesis file", () => {
  it("round-trips, and is never overwritten", () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-genesis-"));
    try {
      const path = join(dir, "genesis.json");
      writeGenesisFile(path, genesis());
      assert.deepEqual(readGenesisFile(path), genesis());
      assert.throws(() => writeGenesisFile(path, genesis()), /EEXIST/);
      writeFileSync(path, "{ not json");
      assert.throws(() => readGenesisFile(path), GenesisFileError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a proof of possession made for another chain, and malformed fields, naming them", () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-genesis-"));
    try {
      const path = join(dir, "g.json");
      writeGenesisFile(path, genesis());
      const json = JSON.parse(readFileSync(path, "utf8"));
      assert.throws(() => parseGenesis({ ...json, chainId: "8" }), /proof of possession does not verify/);
      // biome-ignore lint/suspicious/noExplicitAny: a JSON document edited field by field
      type Json = any;
      const bad = (edit: (j: Json) => void, field: RegExp) => {
        const j = JSON.parse(JSON.stringify(json));
        edit(j);
        assert.throws(
          () => parseGenesis(j),
          (e: unknown) => e instanceof GenesisFileError && field.test(e.message),
        );
      };
      bad((j) => (j.version = 2), /version/);
      bad((j) => (j.network.validators = []), /network\.validators/);
      bad((j) => (j.network.validators[1].blsKey = "0x1234"), /validators\[1\]\.blsKey/);
      bad((j) => (j.network.validators[0].stake = "-1"), /validators\[0\]\.stake/);
      bad((j) => (j.network.validators[0].commissionBps = 10_001), /commissionBps/);
      bad((j) => (j.network.activeSize = 0), /activeSize/);
      // The staking contract's configureNetwork refuses more than 10,000 blocks: say so at reading.
      bad(
        (j) => (j.network.evidenceAge = "10001"),
        /network\.evidenceAge must be a decimal string in \[1, 10000\]/,
      );
      // Amounts the staking contract takes as u128: past it, the file was accepted and the
      // validator exited at block 1 ("staking.endBlock: u128: value … out of range").
      bad((j) => (j.network.blockReward = (2n ** 128n).toString()), /network\.blockReward must be .* 2\^128/);
      bad(
        (j) => (j.network.validators[0].stake = "9".repeat(40)),
        /validators\[0\]\.stake must be .* 2\^128/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a validator key or operator given twice, naming the field and the first entry", () => {
    // Before: both parsed, and a node failed at block 0 with "setup transaction 2 failed: revert".
    const json = genesisJson() as { network: { validators: Array<Record<string, unknown>> } };
    const twice = structuredClone(json);
    twice.network.validators[1] = { ...twice.network.validators[0] };
    const key = `0x${Buffer.from(blsKey(0).publicKey).toString("hex")}`;
    assert.throws(
      () => parseGenesis(twice),
      (e: unknown) =>
        e instanceof GenesisFileError &&
        e.message.includes(`network.validators[1].blsKey ${key} is validators[0]'s`),
    );
    // The same operator with a second key (its proof of possession valid for that operator).
    const sameOperator = genesis();
    const second = sameOperator.network.validators[1];
    assert.ok(second !== undefined);
    second.operator = devAccountAddress(0);
    second.proofOfPossession = blsProofOfPossession(blsKey(1), 7n, devAccountAddress(0));
    assert.throws(
      () => parseGenesis(JSON.parse(JSON.stringify(genesisToJson(sameOperator)))),
      (e: unknown) =>
        e instanceof GenesisFileError &&
        e.message.includes(`network.validators[1].operator ${devAccountAddress(0)} is validators[0]'s`),
    );
    const dir = mkdtempSync(join(tmpdir(), "weft-genesis-"));
    try {
      assert.throws(() => writeGenesisFile(join(dir, "g.json"), sameOperator), GenesisFileError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("weft genesis new writes a genesis that a node opens (the staking contract accepts its parameters)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-genesis-"));
    try {
      const out = join(dir, "genesis.json");
      const made = weftLocal(
        undefined,
        ...genesisNewArgs(out, 9, "--validator", join(dir, "a.key"), "--validator", join(dir, "b.key")),
        "--dev-accounts",
      );
      assert.equal(made.status, 0, made.stderr);
      const file = readGenesisFile(out);
      const node = await ChainNode.open({
        dataDir: join(dir, "data"),
        chainId: file.chainId,
        genesisTime: file.genesisTime,
        network: file.network,
        feeRecipient: "0x00000000000000000000000000000000000000fe",
        devAccounts: 4,
        workers: 1,
        admissionWorkers: 0,
        blockTimeMs: 600_000,
        maxBlockTxs: 1_000,
        blockGasLimit: 1_000_000_000,
      });
      try {
        assert.equal(node.head().number, 0);
        assert.ok(node.genesis.network?.staking, "the network's staking contract is deployed");
      } finally {
        await node.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("weft genesis new funds no published key unless --dev-accounts: operators and balances are named", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-genesis-"));
    const weft = (...args: string[]) => weftLocal(undefined, ...args);
    try {
      const operator = "0x00000000000000000000000000000000000000a1";
      const other = "0x00000000000000000000000000000000000000b2";
      const out = join(dir, "genesis.json");
      const base = genesisNewArgs(out, 9);
      // An operator left out would be dev0, whose key is published: refused, naming the way out.
      const noOperator = weft(...base, "--validator", join(dir, "a.key"), "--alloc", `${operator}=10`);
      assert.equal(noOperator.status, 2, noOperator.stderr);
      assert.match(noOperator.stderr, /name its operator.*--dev-accounts/);
      const noAlloc = weft(...base, "--validator", `${join(dir, "a.key")}=${operator}`);
      assert.equal(noAlloc.status, 2, noAlloc.stderr);
      assert.match(noAlloc.stderr, /--alloc <address>=<coin>/);
      const devOperator = weft(
        ...base,
        "--validator",
        `${join(dir, "a.key")}=${devAccountAddress(0)}`,
        "--alloc",
        `${operator}=10`,
      );
      assert.equal(devOperator.status, 2);
      assert.match(devOperator.stderr, /development account dev0, whose key is published/);
      const badAlloc = weft(...base, "--validator", `${join(dir, "a.key")}=${operator}`, "--alloc", "0x12=5");
      assert.equal(badAlloc.status, 2);
      assert.match(badAlloc.stderr, /--alloc 0x12=5: "0x12" is not an address/);
      const twice = weft(
        ...base,
        "--validator",
        `${join(dir, "a.key")}=${operator}`,
        "--alloc",
        `${other}=5`,
        "--alloc",
        `${other}=6`,
      );
      assert.equal(twice.status, 2);
      assert.match(twice.stderr, /a second time/);
      assert.equal(readFileSync(out, { flag: "a+" }).length, 0, "nothing written by a refused command");
      rmSync(out);
      // The same BLS key for two validators: refused by the file's checks, a usage error like the others.
      const sameKey = weft(
        ...base,
        "--validator",
        `${join(dir, "a.key")}=${operator}`,
        "--validator",
        `${join(dir, "a.key")}=${other}`,
        "--alloc",
        `${operator}=10`,
      );
      assert.equal(sameKey.status, 2, sameKey.stderr);
      assert.match(sameKey.stderr, /BLS key|blsKey|twice|second/i);
      assert.equal(readFileSync(out, { flag: "a+" }).length, 0, "nothing written by a refused command");
      rmSync(out);

      const made = weft(
        ...base,
        "--validator",
        `${join(dir, "a.key")}=${operator}`,
        "--alloc",
        `${operator}=10`,
        "--alloc",
        `${other}=2500`,
      );
      assert.equal(made.status, 0, made.stderr);
      assert.match(made.stdout, /no development accounts/);
      const file = readGenesisFile(out);
      assert.equal(file.devAccounts, 0);
      // As `weft node --genesis`: the node's own --dev-accounts (default 10) does not count, the file does.
      const running = await startNode(
        loadConfig({ dataDir: join(dir, "data"), port: 0, genesis: out, workers: 1 }, {}),
        pino({ level: "silent" }),
      );
      const node = running.node;
      try {
        assert.deepEqual(node.genesis.accounts, [], "no development account");
        assert.equal(node.genesis.ethAccounts, undefined, "no Ethereum test key");
        const balance = (a: string) => decodeU128(node.state.get(balanceKey(a as never)));
        assert.equal(balance(other), 2_500n * 10n ** 18n);
        assert.equal(balance(operator), 10n * 10n ** 18n, "the stake is bonded, the alloc stays");
        assert.equal(balance(devAccountAddress(0)), 0n, "dev0's address holds nothing");
        assert.equal(balance("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"), 0n, "eth0 holds nothing");
      } finally {
        await running.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads devAccounts and alloc, refusing bad entries by name", () => {
    const j = JSON.parse(JSON.stringify({ ...(genesisJson() as object) }));
    j.devAccounts = 0;
    j.alloc = [{ address: "0x00000000000000000000000000000000000000a1", amount: "5" }];
    const g = parseGenesis(j);
    assert.equal(g.devAccounts, 0);
    assert.deepEqual(g.alloc, [{ address: "0x00000000000000000000000000000000000000a1", amount: 5n }]);
    const bad = (edit: (j: Record<string, unknown>) => void, what: RegExp) => {
      const k = JSON.parse(JSON.stringify(j));
      edit(k);
      assert.throws(
        () => parseGenesis(k),
        (e: unknown) => e instanceof GenesisFileError && what.test(e.message),
      );
    };
    bad((k) => (k.devAccounts = -1), /devAccounts must be/);
    bad((k) => (k.alloc = [{ address: "0x12", amount: "5" }]), /alloc\[0\]\.address must be an address/);
    bad(
      (k) => (k.alloc = [{ address: "0x00000000000000000000000000000000000000a1", amount: "0" }]),
      /alloc\[0\]\.amount/,
    );
    bad((k) => (k.alloc = [...(k.alloc as unknown[]), ...(k.alloc as unknown[])]), /a second time/);
    bad(
      (k) =>
        (k.alloc = [1, 2].map((i) => ({
          address: `0x00000000000000000000000000000000000000a${i}`,
          amount: `${10n ** 39n}`,
        }))),
      /in all, over/,
    );
  });
});
