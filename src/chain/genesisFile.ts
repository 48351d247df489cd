/**
 * The genesis file every node of a validator network loads (`weft genesis new` writes it,
 * `weft node --genesis <file>` reads it): the chain id, block 0's time and the network's
 * genesis validators and parameters (`NetworkGenesis`). JSON, with byte strings in 0x hex and
 * big numbers as decimal strings:
 *
 *   { "version": 1, "chainId": "7", "genesisTime": 1700000000,
 *     "network": { "validators": [{ "operator": "0x…", "blsKey": "0x…", "proofOfPossession": "0x…",
 *                  "stake": "1000000000000000000000", "commissionBps": 1000 }], "activeSize": 4,
 *                  "epochLength": "100", "jailSeconds": "600", "evidenceAge": "100",
 *                  "unbondingSeconds": "86400", "blockReward": "1000000000000000000" } }
 *
 * and, in files `weft genesis new` writes, the accounts block 0 creates and funds:
 *
 *   "devAccounts": 0,
 *   "accounts": [{ "kind": "ed25519", "publicKey": "0x…", "address": "0x…", "amount": "100000000000000000000" }],
 *   "alloc": [{ "address": "0x…", "amount": "5000000000000000000000" }]
 *
 * `devAccounts` N > 0 funds the published development accounts dev0..dev(N-1) and eth0-eth9
 * (a test network only: their keys are printed by every copy of Weft); 0 funds none. A file
 * without the field (written before it existed) keeps the old rule: the node's
 * `--dev-accounts` (default 10) and eth0-eth9. `accounts` are smart accounts block 0 creates
 * for keys (`genesisAccounts.ts`: the account `weft account create` makes for the key; a
 * secp256k1 key is named by its `signer` address instead of `publicKey`), each with `amount`
 * wei; `address` must be the one the key gives. `alloc` gives coin (in wei) to named addresses.
 *
 * Reading checks every field and its bounds and says which is wrong (`GenesisFileError`);
 * each proof of possession is checked against its key, chain id and operator.
 */
import { writeFileSync } from "node:fs";
import { type Address, parseAddress } from "../codec/address.js";
import { blsPopMessage, verifyBls } from "../codec/bls.js";
import { BoundedReadError, readBoundedText } from "../codec/boundedFile.js";
import { fromHex, toHex } from "../codec/bytes.js";
import {
  badPublicKey,
  type GenesisAccount,
  type GenesisAccountKey,
  genesisAccountAddress,
  MAX_GENESIS_ACCOUNTS,
} from "./genesisAccounts.js";
import { MAX_EVIDENCE_AGE, type NetworkGenesis } from "./staking/genesisStaking.js";

export const GENESIS_FILE_VERSION = 1;
/** The file is read whole: 32 MiB holds the most alloc entries (~120 bytes each) and accounts with room to spare. */
const MAX_GENESIS_FILE_BYTES = 32 * 1024 * 1024;
const MAX_GENESIS_VALIDATORS = 128;
/** At most this many `alloc` entries (the file is read whole; each is one genesis transfer). */
export const MAX_GENESIS_ALLOC = 100_000;
/** The most coin, in wei, all `alloc` entries and accounts may give together (the genesis funder holds 10^40). */
export const MAX_GENESIS_ALLOC_TOTAL = 10n ** 39n;
/** Stakes and the block reward are u128 in the staking contract (past it, block 1's end-block failed). */
const U128_MAX = 2n ** 128n - 1n;
/** The most development accounts a genesis may fund (as `weft node --dev-accounts`). */
export const MAX_GENESIS_DEV_ACCOUNTS = 10_000;

export class GenesisFileError extends Error {
  readonly code = "GENESIS_FILE" as const;
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(details.length > 0 ? `${message}\n${details.join("\n")}` : message);
    this.name = "GenesisFileError";
  }
}

export interface GenesisFile {
  chainId: bigint;
  genesisTime: number;
  network: NetworkGenesis;
  /** Published development accounts funded at block 0 (absent: the node's `--dev-accounts`, as before the field existed). */
  devAccounts?: number;
  /** Smart accounts block 0 creates for keys, each with its coin. */
  accounts?: GenesisAccount[];
  /** Coin (wei) block 0 gives to named addresses. */
  alloc?: GenesisAlloc[];
}

export type { GenesisAccount, GenesisAccountKey };

export interface GenesisAlloc {
  address: Address;
  amount: bigint;
}

export function genesisToJson(g: GenesisFile): unknown {
  const n = g.network;
  return {
    version: GENESIS_FILE_VERSION,
    chainId: g.chainId.toString(),
    genesisTime: g.genesisTime,
    network: {
      validators: n.validators.map((v) => ({
        operator: v.operator,
        blsKey: `0x${toHex(v.blsKey)}`,
        proofOfPossession: `0x${toHex(v.proofOfPossession)}`,
        stake: v.stake.toString(),
        commissionBps: v.commissionBps,
      })),
      activeSize: n.activeSize,
      epochLength: n.epochLength.toString(),
      jailSeconds: n.jailSeconds.toString(),
      evidenceAge: n.evidenceAge.toString(),
      unbondingSeconds: n.unbondingSeconds.toString(),
      blockReward: n.blockReward.toString(),
    },
    ...(g.devAccounts === undefined ? {} : { devAccounts: g.devAccounts }),
    ...(g.accounts === undefined
      ? {}
      : {
          accounts: g.accounts.map((a) => ({
            kind: a.key.kind,
            ...(a.key.kind === "secp256k1"
              ? { signer: a.key.signer }
              : { publicKey: `0x${toHex(a.key.publicKey)}` }),
            address: a.address,
            amount: a.amount.toString(),
          })),
        }),
    ...(g.alloc === undefined
      ? {}
      : { alloc: g.alloc.map((a) => ({ address: a.address, amount: a.amount.toString() })) }),
  };
}

export function writeGenesisFile(path: string, g: GenesisFile): void {
  checkProofs(g);
  checkAlloc(g);
  writeFileSync(path, `${JSON.stringify(genesisToJson(g), null, 2)}\n`, { flag: "wx" });
}

export function readGenesisFile(path: string): GenesisFile {
  let text: string;
  try {
    text = readBoundedText(path, "genesis file", MAX_GENESIS_FILE_BYTES);
  } catch (e) {
    if (e instanceof BoundedReadError && e.code === "TOO_LARGE")
      throw new GenesisFileError(`genesis file ${path} is over ${MAX_GENESIS_FILE_BYTES / 1024 / 1024} MiB`);
    throw new GenesisFileError(`cannot read the genesis file ${path}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new GenesisFileError(`genesis file ${path} is not JSON: ${(e as Error).message}`);
  }
  return parseGenesis(json, path);
}

export function parseGenesis(json: unknown, where = "genesis"): GenesisFile {
  const fail = (field: string, want: string): never => {
    throw new GenesisFileError(`${where}: ${field} must be ${want}`);
  };
  const obj = (v: unknown, field: string) =>
    typeof v === "object" && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : fail(field, "an object");
  const big = (v: unknown, field: string, min = 0n, max?: bigint): bigint => {
    if (
      typeof v !== "string" ||
      !/^[0-9]{1,40}$/.test(v) ||
      BigInt(v) < min ||
      (max !== undefined && BigInt(v) > max)
    )
      return fail(
        field,
        max === undefined
          ? `a decimal string ≥ ${min}`
          : max === U128_MAX
            ? `a decimal string in [${min}, 2^128 - 1]`
            : `a decimal string in [${min}, ${max}]`,
      );
    return BigInt(v);
  };
  const int = (v: unknown, field: string, min: number, max: number): number =>
    Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max
      ? (v as number)
      : fail(field, `an integer in [${min}, ${max}]`);
  const bytes = (v: unknown, field: string, length: number): Uint8Array => {
    if (typeof v !== "string" || v.length !== 2 + 2 * length)
      return fail(field, `0x and ${length} bytes of hex`);
    try {
      return fromHex(v);
    } catch {
      return fail(field, `0x and ${length} bytes of hex`);
    }
  };
  const top = obj(json, "the file");
  if (top.version !== GENESIS_FILE_VERSION) fail("version", String(GENESIS_FILE_VERSION));
  const chainId = big(top.chainId, "chainId", 1n);
  const genesisTime = int(top.genesisTime, "genesisTime", 0, 2 ** 40);
  const n = obj(top.network, "network");
  if (
    !Array.isArray(n.validators) ||
    n.validators.length === 0 ||
    n.validators.length > MAX_GENESIS_VALIDATORS
  )
    fail("network.validators", `a list of 1 to ${MAX_GENESIS_VALIDATORS} validators`);
  const validators = (n.validators as unknown[]).map((raw, i) => {
    const v = obj(raw, `network.validators[${i}]`);
    let operator: Address;
    try {
      operator = parseAddress(String(v.operator));
    } catch {
      return fail(`network.validators[${i}].operator`, "an address");
    }
    return {
      operator,
      blsKey: bytes(v.blsKey, `network.validators[${i}].blsKey`, 48),
      proofOfPossession: bytes(v.proofOfPossession, `network.validators[${i}].proofOfPossession`, 96),
      stake: big(v.stake, `network.validators[${i}].stake`, 1n, U128_MAX),
      commissionBps: int(v.commissionBps, `network.validators[${i}].commissionBps`, 0, 10_000),
    };
  });
  const genesis: GenesisFile = {
    chainId,
    genesisTime,
    network: {
      validators,
      activeSize: int(n.activeSize, "network.activeSize", 1, 128),
      epochLength: big(n.epochLength, "network.epochLength", 1n),
      jailSeconds: big(n.jailSeconds, "network.jailSeconds"),
      evidenceAge: big(n.evidenceAge, "network.evidenceAge", 1n, MAX_EVIDENCE_AGE),
      unbondingSeconds: big(n.unbondingSeconds, "network.unbondingSeconds"),
      blockReward: big(n.blockReward, "network.blockReward", 0n, U128_MAX),
    },
  };
  if (top.devAccounts !== undefined)
    genesis.devAccounts = int(top.devAccounts, "devAccounts", 0, MAX_GENESIS_DEV_ACCOUNTS);
  if (top.alloc !== undefined) {
    if (!Array.isArray(top.alloc) || top.alloc.length > MAX_GENESIS_ALLOC)
      fail("alloc", `a list of at most ${MAX_GENESIS_ALLOC} { address, amount } entries`);
    genesis.alloc = (top.alloc as unknown[]).map((raw, i) => {
      const a = obj(raw, `alloc[${i}]`);
      let address: Address;
      try {
        address = parseAddress(String(a.address));
      } catch {
        return fail(`alloc[${i}].address`, "an address");
      }
      return { address, amount: big(a.amount, `alloc[${i}].amount`, 1n) };
    });
  }
  if (top.accounts !== undefined) {
    if (!Array.isArray(top.accounts) || top.accounts.length > MAX_GENESIS_ACCOUNTS)
      fail(
        "accounts",
        `a list of at most ${MAX_GENESIS_ACCOUNTS} { kind, publicKey or signer, address, amount } entries`,
      );
    genesis.accounts = (top.accounts as unknown[]).map((raw, i) => {
      const a = obj(raw, `accounts[${i}]`);
      const field = `accounts[${i}]`;
      let key: GenesisAccountKey;
      if (a.kind === "secp256k1") {
        try {
          key = { kind: "secp256k1", signer: parseAddress(String(a.signer)) };
        } catch {
          return fail(`${field}.signer`, "an address (the secp256k1 key's signer)");
        }
      } else if (a.kind === "ed25519" || a.kind === "passkey") {
        const publicKey = bytes(a.publicKey, `${field}.publicKey`, a.kind === "ed25519" ? 32 : 65);
        const bad = badPublicKey(a.kind, publicKey);
        if (bad !== undefined) return fail(`${field}.publicKey`, `a ${a.kind} public key (${bad})`);
        key = { kind: a.kind, publicKey };
      } else return fail(`${field}.kind`, `"ed25519", "secp256k1" or "passkey"`);
      let address: Address;
      try {
        address = parseAddress(String(a.address));
      } catch {
        return fail(`${field}.address`, "an address");
      }
      const derived = genesisAccountAddress(key);
      if (derived.toLowerCase() !== address.toLowerCase())
        throw new GenesisFileError(
          `${where}: ${field}.address ${address} is not this key's account: the key's account is at ${derived}`,
        );
      return { key, address: derived, amount: big(a.amount, `${field}.amount`, 0n) };
    });
  }
  checkAlloc(genesis, where);
  checkProofs(genesis, where);
  return genesis;
}

/** Each address gets coin once (a genesis account or an alloc entry), and all of it within the bound. */
function checkAlloc(g: GenesisFile, where = "genesis"): void {
  const seen = new Map<string, string>();
  let total = 0n;
  for (const [i, a] of (g.accounts ?? []).entries()) {
    const key = a.address.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined)
      throw new GenesisFileError(
        `${where}: accounts[${i}] is ${first} again (${a.address}): each key's account is made once`,
      );
    seen.set(key, `accounts[${i}]`);
    total += a.amount;
  }
  for (const [i, a] of (g.alloc ?? []).entries()) {
    const key = a.address.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined)
      throw new GenesisFileError(
        `${where}: alloc[${i}] gives ${a.address} coin a second time (${first} gives it coin already)`,
      );
    seen.set(key, `alloc[${i}]`);
    total += a.amount;
  }
  if (total > MAX_GENESIS_ALLOC_TOTAL)
    throw new GenesisFileError(
      `${where}: accounts and alloc give ${total} wei in all, over the ${MAX_GENESIS_ALLOC_TOTAL} a genesis can give`,
    );
}

function checkProofs(g: GenesisFile, where = "genesis"): void {
  checkDistinct(g, where);
  for (const [i, v] of g.network.validators.entries()) {
    if (!verifyBls(v.blsKey, blsPopMessage(g.chainId, v.operator, v.blsKey), v.proofOfPossession)) {
      throw new GenesisFileError(`${where}: validator ${i}'s proof of possession does not verify`, [
        `it must be the key's signature for chain ${g.chainId} and operator ${v.operator} (weft genesis validator or weft genesis new makes it)`,
      ]);
    }
  }
}

/**
 * Each validator's BLS key and operator appear once: the staking contract refuses a second
 * registration of either, which a node reported only as "setup transaction N failed: revert".
 */
function checkDistinct(g: GenesisFile, where: string): void {
  const keys = new Map<string, number>();
  const operators = new Map<string, number>();
  for (const [i, v] of g.network.validators.entries()) {
    const key = toHex(v.blsKey);
    const keyFirst = keys.get(key);
    if (keyFirst !== undefined)
      throw new GenesisFileError(
        `${where}: network.validators[${i}].blsKey 0x${key} is validators[${keyFirst}]'s: each validator needs its own key`,
      );
    keys.set(key, i);
    const operator = v.operator.toLowerCase();
    const operatorFirst = operators.get(operator);
    if (operatorFirst !== undefined)
      throw new GenesisFileError(
        `${where}: network.validators[${i}].operator ${v.operator} is validators[${operatorFirst}]'s: an operator runs one validator`,
      );
    operators.set(operator, i);
  }
}
