/** The validator network's genesis file: written and read back, and refused field by field when wrong. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { blsProofOfPossession } from "../../../src/codec/bls.js";
import { ChainNode } from "../../../src/node/chainNode.js";
import { devAccountAddress } from "../../../src/node/genesis/genesis.js";
import {
  type GenesisFile,
  GenesisFileError,
  parseGenesis,
  readGenesisFile,
  writeGenesisFile,
} from "../../../src/node/validator/genesisFile.js";
import { blsKey } from "../../helpers/validators.js";

const WEFT = fileURLToPath(new URL("../../../src/cli/weft.js", import.meta.url));

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
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("weft genesis new writes a genesis that a node opens (the staking contract accepts its parameters)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-genesis-"));
    try {
      const out = join(dir, "genesis.json");
      const made = spawnSync(
        process.execPath,
        [
          WEFT,
          "genesis",
          "new",
          "--out",
          out,
          "--chain-id",
          "9",
          "--validator",
          join(dir, "a.key"),
          "--validator",
          join(dir, "b.key"),
        ],
        { encoding: "utf8" },
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
});
