/**
 * `weft genesis new`: the genesis file of a validator network (src/chain/genesisFile.ts),
 * which every node loads with `weft node --genesis <file>`. Each `--validator <keyFile>` is a
 * BLS key file (created there, mode 0600, if it does not exist) with its operator,
 * `<keyFile>=<operator address>`; `--alloc <address>=<coin>` names the balances block 0 gives.
 * The published development accounts (dev0-dev9, eth0-eth9: every copy of Weft prints their
 * keys) are funded only with `--dev-accounts`, for a test network; then an operator left out
 * is the development account of the same position (dev0, dev1, ...). Without it an operator or
 * balance given to a published account is refused: anyone could sign as it. The proof of
 * possession is made for the chain id and the operator, as `weft validator create` makes it.
 */
import type { Command } from "commander";
import {
  type GenesisAlloc,
  type GenesisFile,
  GenesisFileError,
  MAX_GENESIS_ALLOC,
  writeGenesisFile,
} from "../../chain/genesisFile.js";
import { type Address, parseAddress } from "../../codec/address.js";
import { blsProofOfPossession } from "../../codec/bls.js";
import { devAccountAddress } from "../../node/genesis/genesis.js";
import { MAX_EVIDENCE_AGE } from "../../node/genesis/networkGenesis.js";
import { loadOrCreateValidatorKey } from "../../node/validatorKey.js";
import { ethDevKeys } from "../../sdk/ethDevKeys.js";
import { UsageError } from "../output.js";
import { commissionBps } from "./validator.js";

const E18 = 10n ** 18n;

function wholeCoin(text: string, what: string): bigint {
  if (!/^\d{1,30}$/.test(text))
    throw new UsageError(`${what}: whole coin, like 1000, got ${JSON.stringify(text)}`);
  return BigInt(text) * E18;
}

function integer(text: string, what: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new UsageError(`${what}: an integer in [${min}, ${max}], got ${JSON.stringify(text)}`);
  return n;
}

const DEV_ACCOUNTS = 10;

/** The published development accounts' addresses (lower case) and names: dev0-dev9, eth0-eth9. */
function publishedAccounts(): Map<string, string> {
  const names = new Map<string, string>();
  for (let i = 0; i < DEV_ACCOUNTS; i++) names.set(devAccountAddress(i).toLowerCase(), `dev${i}`);
  for (const [i, k] of ethDevKeys().entries()) names.set(k.address.toLowerCase(), `eth${i}`);
  return names;
}

function parseAlloc(specs: string[], published: Map<string, string> | undefined): GenesisAlloc[] {
  if (specs.length > MAX_GENESIS_ALLOC)
    throw new UsageError(`--alloc: at most ${MAX_GENESIS_ALLOC} entries, got ${specs.length}`);
  return specs.map((spec) => {
    const at = spec.indexOf("=");
    if (at < 0) throw new UsageError(`--alloc ${spec}: give <address>=<coin>, like 0x…=5000`);
    let address: Address;
    try {
      address = parseAddress(spec.slice(0, at));
    } catch {
      throw new UsageError(`--alloc ${spec}: ${JSON.stringify(spec.slice(0, at))} is not an address`);
    }
    const name = published?.get(address.toLowerCase());
    if (name !== undefined)
      throw new UsageError(
        `--alloc ${spec}: ${address} is the development account ${name}, whose key is published (use --dev-accounts for a test network)`,
      );
    const amount = wholeCoin(spec.slice(at + 1), `--alloc ${spec}`);
    if (amount === 0n) throw new UsageError(`--alloc ${spec}: the amount must be at least 1 coin`);
    return { address, amount };
  });
}

export function addGenesisCommands(program: Command): void {
  const genesis = program.command("genesis").description("a validator network's genesis file");
  genesis
    .command("new")
    .description(
      "write the genesis file of a validator network: chain id, block 0's time, validators and staking parameters",
    )
    .requiredOption("--out <file>", "where to write the file (refused if it exists)")
    .requiredOption(
      "--validator <keyFile[=operator]>",
      "a validator's BLS key file (created if absent) and its operator's address, repeat per validator (with --dev-accounts the operator defaults to devN by position)",
      (value: string, list: string[] = []) => [...list, value],
    )
    .option(
      "--alloc <address=coin>",
      "coin block 0 gives to an address (whole coin), repeat per address; needed unless --dev-accounts",
      (value: string, list: string[] = []) => [...list, value],
    )
    .option(
      "--dev-accounts",
      "a test network: also fund the published development accounts dev0-dev9 and eth0-eth9 (anyone can sign as them)",
    )
    .option("--chain-id <id>", "the chain id", "1337")
    .option("--time <seconds>", "block 0's time, Unix seconds (default: now)")
    .option("--stake <coin>", "each validator's self-delegation, whole coin", "1000")
    .option("--commission <percent>", "each validator's commission", "10")
    .option("--active-size <n>", "the set is the top N by stake", "100")
    .option("--epoch-length <blocks>", "blocks per epoch", "100")
    .option("--block-reward <coin>", "coin minted to the validators per block", "1")
    .action((opts: Record<string, string | string[] | boolean>) => {
      const dev = opts.devAccounts === true;
      const published = dev ? undefined : publishedAccounts();
      const alloc = parseAlloc((opts.alloc as string[] | undefined) ?? [], published);
      if (!dev && alloc.length === 0)
        throw new UsageError(
          "--alloc <address>=<coin>: name the accounts block 0 funds (operators need coin for fees), or pass --dev-accounts for a test network funding the published development accounts",
        );
      const chainId = BigInt(integer(String(opts.chainId), "--chain-id", 1, Number.MAX_SAFE_INTEGER));
      const time =
        opts.time === undefined
          ? Math.floor(Date.now() / 1000)
          : integer(String(opts.time), "--time", 0, 2 ** 40);
      const stake = wholeCoin(String(opts.stake), "--stake");
      const commission = commissionBps(String(opts.commission));
      const validators = (opts.validator as string[]).map((spec, i) => {
        const [file, operatorText] = spec.split("=");
        if (operatorText === undefined && !dev)
          throw new UsageError(
            `--validator ${spec}: name its operator, ${spec}=<address> (the account that controls its stake), or pass --dev-accounts for a test network operated by dev${i}`,
          );
        let operator: Address;
        try {
          operator = operatorText === undefined ? devAccountAddress(i) : parseAddress(operatorText);
        } catch {
          throw new UsageError(`--validator ${spec}: the operator is not an address`);
        }
        const name = published?.get(operator.toLowerCase());
        if (name !== undefined)
          throw new UsageError(
            `--validator ${spec}: the operator ${operator} is the development account ${name}, whose key is published: anyone could unbond its stake (use --dev-accounts for a test network)`,
          );
        const { key } = loadOrCreateValidatorKey(file as string);
        return {
          operator,
          blsKey: key.publicKey,
          proofOfPossession: blsProofOfPossession(key, chainId, operator),
          stake,
          commissionBps: commission,
        };
      });
      const file: GenesisFile = {
        chainId,
        genesisTime: time,
        network: {
          validators,
          activeSize: integer(String(opts.activeSize), "--active-size", 1, 128),
          epochLength: BigInt(integer(String(opts.epochLength), "--epoch-length", 1, 1_000_000_000)),
          jailSeconds: 600n,
          evidenceAge: MAX_EVIDENCE_AGE,
          unbondingSeconds: 21n * 86_400n,
          blockReward: wholeCoin(String(opts.blockReward), "--block-reward"),
        },
        devAccounts: dev ? DEV_ACCOUNTS : 0,
        alloc,
      };
      try {
        writeGenesisFile(String(opts.out), file);
      } catch (e) {
        if (e instanceof GenesisFileError) throw e;
        throw new UsageError(`cannot write ${opts.out}: ${(e as Error).message}`);
      }
      process.stdout.write(
        `wrote ${opts.out}: chain ${chainId}, ${validators.length} validators, block 0 at ${time}\n` +
          validators.map((v, i) => `  ${i}: operator ${v.operator}\n`).join("") +
          alloc.map((a) => `  alloc ${a.address}: ${a.amount / E18} coin\n`).join("") +
          (dev
            ? "  development accounts dev0-dev9 and eth0-eth9 funded: their keys are published, a test network only\n"
            : "  no development accounts\n"),
      );
    });
}
