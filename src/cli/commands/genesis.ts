/**
 * `weft genesis new`: the genesis file of a validator network (src/node/validator/genesisFile.ts),
 * which every node loads with `weft node --genesis <file>`. Each `--validator <keyFile>` is a
 * BLS key file (created there, mode 0600, if it does not exist); its operator is the
 * development account of the same position (dev0, dev1, ...) unless given as
 * `<keyFile>=<operator address>`. The proof of possession is made for the chain id and the
 * operator, as `weft validator create` makes it.
 */
import type { Command } from "commander";
import { type Address, parseAddress } from "../../codec/address.js";
import { blsProofOfPossession } from "../../codec/bls.js";
import { devAccountAddress } from "../../node/genesis/genesis.js";
import { MAX_EVIDENCE_AGE } from "../../node/genesis/networkGenesis.js";
import { type GenesisFile, GenesisFileError, writeGenesisFile } from "../../node/validator/genesisFile.js";
import { loadOrCreateValidatorKey } from "../../node/validatorKey.js";
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
      "a validator's BLS key file (created if absent), repeat per validator; operator default devN by position",
      (value: string, list: string[] = []) => [...list, value],
    )
    .option("--chain-id <id>", "the chain id", "1337")
    .option("--time <seconds>", "block 0's time, Unix seconds (default: now)")
    .option("--stake <coin>", "each validator's self-delegation, whole coin", "1000")
    .option("--commission <percent>", "each validator's commission", "10")
    .option("--active-size <n>", "the set is the top N by stake", "100")
    .option("--epoch-length <blocks>", "blocks per epoch", "100")
    .option("--block-reward <coin>", "coin minted to the validators per block", "1")
    .action((opts: Record<string, string | string[]>) => {
      const chainId = BigInt(integer(String(opts.chainId), "--chain-id", 1, Number.MAX_SAFE_INTEGER));
      const time =
        opts.time === undefined
          ? Math.floor(Date.now() / 1000)
          : integer(String(opts.time), "--time", 0, 2 ** 40);
      const stake = wholeCoin(String(opts.stake), "--stake");
      const commission = commissionBps(String(opts.commission));
      const validators = (opts.validator as string[]).map((spec, i) => {
        const [file, operatorText] = spec.split("=");
        let operator: Address;
        try {
          operator = operatorText === undefined ? devAccountAddress(i) : parseAddress(operatorText);
        } catch {
          throw new UsageError(`--validator ${spec}: the operator is not an address`);
        }
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
      };
      try {
        writeGenesisFile(String(opts.out), file);
      } catch (e) {
        if (e instanceof GenesisFileError) throw e;
        throw new UsageError(`cannot write ${opts.out}: ${(e as Error).message}`);
      }
      process.stdout.write(
        `wrote ${opts.out}: chain ${chainId}, ${validators.length} validators, block 0 at ${time}\n` +
          validators.map((v, i) => `  ${i}: operator ${v.operator}\n`).join(""),
      );
    });
}
