/**
 * `weft genesis new`: the genesis file of a validator network (src/chain/genesisFile.ts),
 * which every node loads with `weft node --genesis <file>`. Each `--validator <keyFile>` is a
 * BLS key file (created there, mode 0600, if it does not exist) with its operator,
 * `<keyFile>=<operator address | --account key name>`. `--account <key>[=coin]` has block 0
 * create a key's smart account (the one `weft account create` would make: its operator can sign
 * from block 0 on; `../genesisAccountArgs.ts`); `--alloc <address>=<coin>` and `--alloc-file`
 * name the balances block 0 gives (`../genesisAllocArgs.ts`).
 * The published development accounts (dev0-dev9, eth0-eth9: every copy of Weft prints their
 * keys) are funded only with `--dev-accounts`, for a test network; then an operator left out
 * is the development account of the same position (dev0, dev1, ...). Without it an operator or
 * balance given to a published account is refused: anyone could sign as it. The proof of
 * possession is made for the chain id and the operator, as `weft validator create` makes it.
 */
import type { Command } from "commander";
import {
  type GenesisFile,
  GenesisFileError,
  MAX_GENESIS_ALLOC,
  writeGenesisFile,
} from "../../chain/genesisFile.js";
import { type Address, parseAddress } from "../../codec/address.js";
import { blsProofOfPossession } from "../../codec/bls.js";
import { fromHex } from "../../codec/bytes.js";
import { devAccountAddress } from "../../node/genesis/genesis.js";
import { MAX_EVIDENCE_AGE } from "../../node/genesis/networkGenesis.js";
import { loadOrCreateValidatorKey } from "../../node/validatorKey.js";
import { parseAccountArgs, recordAccounts } from "../genesisAccountArgs.js";
import { checkDistinct, parseAllocArgs, publishedAccounts, readAllocFile } from "../genesisAllocArgs.js";
import { UsageError } from "../output.js";
import { addGenesisValidatorCommand } from "./genesisValidator.js";
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

export function addGenesisCommands(program: Command): void {
  const genesis = program.command("genesis").description("a validator network's genesis file");
  addGenesisValidatorCommand(genesis);
  genesis
    .command("new")
    .description(
      "write the genesis file of a validator network: chain id, block 0's time, validators and staking parameters",
    )
    .requiredOption("--out <file>", "where to write the file (refused if it exists)")
    .requiredOption(
      "--validator <keyFile|key:proof[=operator]>",
      "a validator's BLS key file (created if absent), or 0x<key>:0x<proof> from weft genesis validator on the operator's machine, and its operator: an address or an --account key name; repeat per validator (with --dev-accounts the operator defaults to devN by position)",
      (value: string, list: string[] = []) => [...list, value],
    )
    .option(
      "--account <key[=coin]>",
      "a smart account block 0 creates for a key (a keystore name, or the public key / secp256k1 signer address weft keys new printed) with its coin, repeat per key; a validator's operator may name it",
      (value: string, list: string[] = []) => [...list, value],
    )
    .option(
      "--alloc <address=coin>",
      "coin block 0 gives to an address (whole coin), repeat per address",
      (value: string, list: string[] = []) => [...list, value],
    )
    .option(
      "--alloc-file <file>",
      `balances for many addresses: JSON [{ "address", "coin" }] or CSV lines address,coin (at most ${MAX_GENESIS_ALLOC} entries with --alloc)`,
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
    .action((opts: Record<string, string | string[] | boolean>, cmd: Command) => {
      const dev = opts.devAccounts === true;
      const keystore = cmd.optsWithGlobals().keystore as string | undefined;
      const published = dev ? undefined : publishedAccounts();
      const accounts = parseAccountArgs(
        (opts.account as string[] | undefined) ?? [],
        keystore,
        dev,
        wholeCoin,
      );
      const alloc = [
        ...parseAllocArgs((opts.alloc as string[] | undefined) ?? [], published, wholeCoin),
        ...(opts.allocFile === undefined ? [] : readAllocFile(String(opts.allocFile), published, wholeCoin)),
      ];
      checkDistinct(
        alloc,
        accounts.map((a) => ({ address: a.account.address, spec: a.spec })),
      );
      if (!dev && alloc.length === 0 && !accounts.some((a) => a.account.amount > 0n))
        throw new UsageError(
          "name the coin block 0 gives: --account <key>=<coin> (an operator's account: it pays fees), --alloc <address>=<coin> or --alloc-file <file>, or pass --dev-accounts for a test network funding the published development accounts",
        );
      const chainId = BigInt(integer(String(opts.chainId), "--chain-id", 1, Number.MAX_SAFE_INTEGER));
      const time =
        opts.time === undefined
          ? Math.floor(Date.now() / 1000)
          : integer(String(opts.time), "--time", 0, 2 ** 40);
      const stake = wholeCoin(String(opts.stake), "--stake");
      const commission = commissionBps(String(opts.commission));
      const byName = new Map(
        accounts.flatMap((a) => (a.name === undefined ? [] : [[a.name, a.account.address]])),
      );
      const validators = (opts.validator as string[]).map((spec, i) => {
        const at = spec.indexOf("=");
        const file = at < 0 ? spec : spec.slice(0, at);
        const operatorText = at < 0 ? undefined : spec.slice(at + 1);
        if (operatorText === undefined && !dev)
          throw new UsageError(
            `--validator ${spec}: name its operator, ${spec}=<address or --account key name> (the account that controls its stake), or pass --dev-accounts for a test network operated by dev${i}`,
          );
        let operator: Address;
        if (operatorText === undefined) operator = devAccountAddress(i);
        else if (operatorText.startsWith("0x")) {
          try {
            operator = parseAddress(operatorText);
          } catch {
            throw new UsageError(`--validator ${spec}: the operator is not an address (0x + 40 hex digits)`);
          }
        } else {
          const named = byName.get(operatorText);
          if (named === undefined)
            throw new UsageError(
              `--validator ${spec}: ${JSON.stringify(operatorText)} is not a genesis account: add --account ${operatorText}, or give the operator's address`,
            );
          operator = named;
        }
        const name = published?.get(operator.toLowerCase());
        if (name !== undefined)
          throw new UsageError(
            `--validator ${spec}: the operator ${operator} is the development account ${name}, whose key is published: anyone could unbond its stake (use --dev-accounts for a test network)`,
          );
        // `0x<key>:0x<proof>` from `weft genesis validator` on the operator's machine, or a key file here.
        const given = /^0x([0-9a-fA-F]{96}):0x([0-9a-fA-F]{192})$/.exec(file);
        if (given === null && file.startsWith("0x"))
          throw new UsageError(
            `--validator ${spec}: 0x<48-byte BLS key>:0x<96-byte proof of possession> (weft genesis validator prints it), or a key file`,
          );
        const { key } = given === null ? loadOrCreateValidatorKey(file) : { key: undefined };
        return {
          operator,
          blsKey: key?.publicKey ?? fromHex(given?.[1] as string),
          proofOfPossession:
            key === undefined ? fromHex(given?.[2] as string) : blsProofOfPossession(key, chainId, operator),
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
        ...(accounts.length === 0 ? {} : { accounts: accounts.map((a) => a.account) }),
        alloc: alloc.map(({ address, amount }) => ({ address, amount })),
      };
      try {
        writeGenesisFile(String(opts.out), file);
      } catch (e) {
        // What the file's checks refuse (a key given twice…) is the arguments' fault: exit 2 like the rest.
        if (e instanceof GenesisFileError)
          throw new UsageError(e.message.split("\n")[0] as string, e.details);
        throw new UsageError(`cannot write ${opts.out}: ${(e as Error).message}`);
      }
      // The file is written: keystore keys now know their accounts (`--from <name>` signs as them).
      recordAccounts(accounts, keystore);
      const coin = (wei: bigint) => `${wei / E18} coin`;
      const shown = alloc.length > 20 ? alloc.slice(0, 10) : alloc;
      process.stdout.write(
        `wrote ${opts.out}: chain ${chainId}, ${validators.length} validators, block 0 at ${time}\n` +
          validators.map((v, i) => `  ${i}: operator ${v.operator}\n`).join("") +
          accounts
            .map(
              (a) =>
                `  account ${a.account.address} (${a.name ?? a.account.key.kind} key): ${coin(a.account.amount)}\n`,
            )
            .join("") +
          shown.map((a) => `  alloc ${a.address}: ${coin(a.amount)}\n`).join("") +
          (shown.length < alloc.length
            ? `  … and ${alloc.length - shown.length} more alloc entries (${coin(alloc.reduce((t, a) => t + a.amount, 0n))} in all)\n`
            : "") +
          (dev
            ? "  development accounts dev0-dev9 and eth0-eth9 funded: their keys are published, a test network only\n"
            : "  no development accounts\n"),
      );
    });
}
