/**
 * The balances `weft genesis new` gives at block 0: `--alloc <address>=<coin>` (repeatable) and
 * `--alloc-file <file>`, JSON (`[{ "address": "0x…", "coin": "5000" }, …]`) or CSV (one
 * `address,coin` a line; a first line `address,coin`, blank lines and `#` comments skipped).
 * Coin is whole coin. At most `MAX_GENESIS_ALLOC` entries in all; an address given twice, a
 * malformed line or a published development account (without `--dev-accounts`) is refused
 * naming where it was given, before anything is written.
 */
import { MAX_GENESIS_ALLOC } from "../chain/genesisFile.js";
import { type Address, parseAddress } from "../codec/address.js";
import { BoundedReadError, readBoundedText } from "../codec/boundedFile.js";
import { devAccountAddress } from "../node/genesis/genesis.js";
import { ethDevKeys } from "../sdk/ethDevKeys.js";
import { UsageError } from "./output.js";

/** An alloc entry and where it was given (`--alloc 0x…=5`, `alloc.csv line 7`), for messages. */
export interface AllocArg {
  address: Address;
  amount: bigint;
  where: string;
}

/** An alloc file of `MAX_GENESIS_ALLOC` entries is about 7 MiB as CSV, 10 MiB as JSON. */
const MAX_ALLOC_FILE_BYTES = 16 * 1024 * 1024;
const DEV_ACCOUNTS = 10;

/** The published development accounts' addresses (lower case) and names: dev0-dev9, eth0-eth9. */
export function publishedAccounts(): Map<string, string> {
  const names = new Map<string, string>();
  for (let i = 0; i < DEV_ACCOUNTS; i++) names.set(devAccountAddress(i).toLowerCase(), `dev${i}`);
  for (const [i, k] of ethDevKeys().entries()) names.set(k.address.toLowerCase(), `eth${i}`);
  return names;
}

function entry(
  where: string,
  addressText: string,
  coinText: string,
  published: Map<string, string> | undefined,
  wholeCoin: (text: string, what: string) => bigint,
): AllocArg {
  let address: Address;
  try {
    address = parseAddress(addressText.trim());
  } catch {
    throw new UsageError(`${where}: ${JSON.stringify(addressText)} is not an address (0x + 40 hex digits)`);
  }
  const name = published?.get(address);
  if (name !== undefined)
    throw new UsageError(
      `${where}: ${address} is the development account ${name}, whose key is published (use --dev-accounts for a test network)`,
    );
  const amount = wholeCoin(coinText.trim(), where);
  if (amount === 0n) throw new UsageError(`${where}: the amount must be at least 1 coin`);
  return { address, amount, where };
}

/** `--alloc <address>=<coin>` entries. */
export function parseAllocArgs(
  specs: string[],
  published: Map<string, string> | undefined,
  wholeCoin: (text: string, what: string) => bigint,
): AllocArg[] {
  if (specs.length > MAX_GENESIS_ALLOC)
    throw new UsageError(`--alloc: at most ${MAX_GENESIS_ALLOC} entries, got ${specs.length}`);
  return specs.map((spec) => {
    const at = spec.indexOf("=");
    if (at < 0) throw new UsageError(`--alloc ${spec}: give <address>=<coin>, like 0x…=5000`);
    return entry(`--alloc ${spec}`, spec.slice(0, at), spec.slice(at + 1), published, wholeCoin);
  });
}

/** The entries of an alloc file, JSON or CSV (told apart by its first character). */
export function readAllocFile(
  path: string,
  published: Map<string, string> | undefined,
  wholeCoin: (text: string, what: string) => bigint,
): AllocArg[] {
  let text: string;
  try {
    text = readBoundedText(path, "--alloc-file", MAX_ALLOC_FILE_BYTES);
  } catch (e) {
    if (e instanceof BoundedReadError && e.code === "TOO_LARGE")
      throw new UsageError(
        `--alloc-file ${path} is over ${MAX_ALLOC_FILE_BYTES / 1024 / 1024} MiB (at most ${MAX_GENESIS_ALLOC} entries)`,
      );
    throw new UsageError(`--alloc-file: ${(e as Error).message}`);
  }
  const tooMany = (n: number) =>
    new UsageError(`--alloc-file ${path}: at most ${MAX_GENESIS_ALLOC} entries, got ${n} or more`);
  if (text.trimStart().startsWith("[")) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new UsageError(`--alloc-file ${path} is not JSON: ${(e as Error).message}`);
    }
    if (!Array.isArray(json))
      throw new UsageError(`--alloc-file ${path}: a JSON list of { "address", "coin" } entries`);
    if (json.length > MAX_GENESIS_ALLOC) throw tooMany(json.length);
    return json.map((raw, i) => {
      const where = `--alloc-file ${path} entry ${i}`;
      const e = raw as { address?: unknown; coin?: unknown } | null;
      if (
        typeof e !== "object" ||
        e === null ||
        Array.isArray(e) ||
        typeof e.address !== "string" ||
        (typeof e.coin !== "string" && typeof e.coin !== "number")
      )
        throw new UsageError(`${where}: { "address": "0x…", "coin": "5000" } expected`);
      return entry(where, e.address, String(e.coin), published, wholeCoin);
    });
  }
  const out: AllocArg[] = [];
  const lines = text.split("\n");
  for (const [i, raw] of lines.entries()) {
    const line = raw.replace(/\r$/, "").trim();
    const where = `--alloc-file ${path} line ${i + 1}`;
    if (line === "" || line.startsWith("#")) continue;
    const cells = line.split(",");
    if (out.length === 0 && /^address$/i.test(cells[0]?.trim() ?? "")) continue;
    if (cells.length !== 2)
      throw new UsageError(`${where}: <address>,<coin> expected, got ${JSON.stringify(line.slice(0, 100))}`);
    if (out.length >= MAX_GENESIS_ALLOC) throw tooMany(out.length + 1);
    out.push(entry(where, cells[0] as string, cells[1] as string, published, wholeCoin));
  }
  if (out.length === 0) throw new UsageError(`--alloc-file ${path}: no entries`);
  return out;
}

/** Refuses an address given coin twice (by --alloc, the file, or a genesis account), naming both places. */
export function checkDistinct(
  allocs: AllocArg[],
  accounts: ReadonlyArray<{ address: Address; spec: string }>,
): void {
  const seen = new Map<string, string>();
  for (const a of accounts) seen.set(a.address.toLowerCase(), `--account ${a.spec}`);
  for (const a of allocs) {
    const first = seen.get(a.address);
    if (first !== undefined)
      throw new UsageError(`${a.where}: ${a.address} is given coin a second time (first by ${first})`);
    seen.set(a.address, a.where);
  }
  if (allocs.length > MAX_GENESIS_ALLOC)
    throw new UsageError(
      `--alloc and --alloc-file: at most ${MAX_GENESIS_ALLOC} entries in all, got ${allocs.length}`,
    );
}
