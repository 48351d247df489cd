/**
 * A local testnet's directory (`weft testnet --dir <d>`), made on the first run and reused on
 * every later one, so that the network resumes with the same genesis and keys:
 *
 *   <d>/testnet.json        what this directory holds: format version, validator count, chain id
 *   <d>/genesis.json        the network's genesis file (`weft genesis new`'s format)
 *   <d>/validator-<i>/      validator i: validator.key (BLS, 0600), node.key (libp2p, 0600),
 *                           data/ (its chain database), node.log (its output)
 *   <d>/testnet.pid         the pid of the `weft testnet` running on it (a second one is refused)
 *
 * A directory that exists must be empty or hold a testnet of the same size; anything else is
 * refused (`TestnetError`) before a file is written.
 */
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import { type GenesisFile, readGenesisFile, writeGenesisFile } from "../../chain/genesisFile.js";
import { blsProofOfPossession } from "../../codec/bls.js";
import { loadOrCreateNodeKey } from "../../net/nodeKey.js";
import { devAccountAddress } from "../genesis/genesis.js";
import { MAX_EVIDENCE_AGE } from "../genesis/networkGenesis.js";
import { loadOrCreateValidatorKey } from "../validatorKey.js";
import { TestnetError } from "./errors.js";

export const TESTNET_FORMAT = 1;
export const MAX_TESTNET_VALIDATORS = 16;
const E18 = 10n ** 18n;

export interface TestnetLayout {
  dir: string;
  validators: number;
  chainId: bigint;
  genesisFile: string;
  members: Array<{
    dir: string;
    dataDir: string;
    validatorKey: string;
    nodeKey: string;
    log: string;
    peerId: string;
  }>;
}

interface Manifest {
  format: number;
  validators: number;
  chainId: string;
}

/** Checks `--validators`: an integer from 1 to MAX_TESTNET_VALIDATORS. */
export function checkValidatorCount(n: number): void {
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_TESTNET_VALIDATORS)
    throw new TestnetError(
      "BAD_VALIDATORS",
      `--validators must be an integer from 1 to ${MAX_TESTNET_VALIDATORS}, got ${n}`,
      ["each validator is a node process with its own database: more than a few are slow on one machine"],
    );
}

/** Opens the testnet in `dir`, making it (keys, genesis) when the directory is new or empty. */
export async function openLayout(dir: string, validators: number, chainId: bigint): Promise<TestnetLayout> {
  checkValidatorCount(validators);
  const root = resolve(dir);
  const manifestPath = join(root, "testnet.json");
  let manifest: Manifest | undefined;
  if (existsSync(manifestPath)) manifest = readManifest(manifestPath);
  else if (existsSync(root) && readdirSync(root).length > 0)
    throw new TestnetError("DIR_NOT_TESTNET", `${root} is not empty and holds no testnet (no testnet.json)`, [
      "give a new or empty directory with --dir, or the directory of an earlier weft testnet",
    ]);
  if (manifest !== undefined && manifest.validators !== validators)
    throw new TestnetError(
      "DIR_MISMATCH",
      `${root} holds a testnet of ${manifest.validators} validators, not ${validators}`,
      [`run it with --validators ${manifest.validators}, or give another --dir for a new network`],
    );
  writable(root);
  const id = manifest === undefined ? chainId : BigInt(manifest.chainId);
  const members = [];
  for (let i = 0; i < validators; i++) {
    const member = join(root, `validator-${i}`);
    mkdirSync(join(member, "data"), { recursive: true });
    const nodeKey = join(member, "node.key");
    const key = await loadOrCreateNodeKey(nodeKey);
    members.push({
      dir: member,
      dataDir: join(member, "data"),
      validatorKey: join(member, "validator.key"),
      nodeKey,
      log: join(member, "node.log"),
      peerId: peerIdFromPrivateKey(key as Parameters<typeof peerIdFromPrivateKey>[0]).toString(),
    });
  }
  const genesisFile = join(root, "genesis.json");
  if (manifest === undefined) {
    if (!existsSync(genesisFile)) writeGenesisFile(genesisFile, genesisFor(members, id));
    const written: Manifest = { format: TESTNET_FORMAT, validators, chainId: id.toString() };
    writeFileSync(manifestPath, `${JSON.stringify(written, null, 2)}\n`);
  } else {
    // The genesis must name these keys: a directory whose keys were replaced would never decide.
    const genesis = readGenesis(genesisFile);
    for (const [i, m] of members.entries()) {
      const key = loadOrCreateValidatorKey(m.validatorKey).key;
      const named = genesis.network.validators[i]?.blsKey;
      if (named === undefined || Buffer.compare(Buffer.from(named), Buffer.from(key.publicKey)) !== 0)
        throw new TestnetError(
          "DIR_DAMAGED",
          `${m.validatorKey} is not the key genesis.json names for validator ${i}`,
          [`restore the key, or start a new network in another --dir`],
        );
    }
  }
  return { dir: root, validators, chainId: id, genesisFile, members };
}

function genesisFor(members: Array<{ validatorKey: string }>, chainId: bigint): GenesisFile {
  return {
    chainId,
    genesisTime: Math.floor(Date.now() / 1000),
    network: {
      validators: members.map((m, i) => {
        const { key } = loadOrCreateValidatorKey(m.validatorKey);
        const operator = devAccountAddress(i);
        return {
          operator,
          blsKey: key.publicKey,
          proofOfPossession: blsProofOfPossession(key, chainId, operator),
          stake: 1_000n * E18,
          commissionBps: 1_000,
        };
      }),
      activeSize: members.length,
      epochLength: 100n,
      jailSeconds: 600n,
      evidenceAge: MAX_EVIDENCE_AGE,
      unbondingSeconds: 21n * 86_400n,
      blockReward: E18,
    },
    // A local test network: the published development accounts, which also operate the validators.
    devAccounts: 10,
    alloc: [],
  };
}

function readManifest(path: string): Manifest {
  let parsed: Partial<Manifest>;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<Manifest>;
  } catch (error) {
    throw new TestnetError("DIR_DAMAGED", `${path} is not a testnet manifest: ${String(error)}`);
  }
  if (
    parsed.format !== TESTNET_FORMAT ||
    typeof parsed.validators !== "number" ||
    typeof parsed.chainId !== "string" ||
    !/^[0-9]{1,18}$/.test(parsed.chainId)
  )
    throw new TestnetError("DIR_DAMAGED", `${path} is not a testnet manifest of format ${TESTNET_FORMAT}`);
  return parsed as Manifest;
}

function readGenesis(path: string): GenesisFile {
  try {
    return readGenesisFile(path);
  } catch (error) {
    throw new TestnetError(
      "DIR_DAMAGED",
      `the testnet's genesis.json cannot be read: ${(error as Error).message}`,
    );
  }
}

/** Creates `dir` if needed and checks a file can be written there. */
function writable(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    const probe = join(dir, `.write-probe-${process.pid}`);
    writeFileSync(probe, "");
    rmSync(probe);
  } catch (error) {
    throw new TestnetError(
      "DIR_UNWRITABLE",
      `cannot write in ${dir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      ["give a directory you can write with --dir"],
    );
  }
}
