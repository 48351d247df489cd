/** The validator network's genesis file: written and read back, and refused field by field when wrong. */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { blsProofOfPossession } from "../../../src/codec/bls.js";
import { devAccountAddress } from "../../../src/node/genesis/genesis.js";
import {
  type GenesisFile,
  GenesisFileError,
  parseGenesis,
  readGenesisFile,
  writeGenesisFile,
} from "../../../src/node/validator/genesisFile.js";
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
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
