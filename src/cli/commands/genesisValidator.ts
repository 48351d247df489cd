/**
 * `weft genesis validator <keyFile> --chain-id <id> --operator <address | key name>`: run by a
 * validator's operator on its own machine. Creates the BLS key file if missing (mode 0600) and
 * prints its public key with its proof of possession for that chain and operator, as the
 * `--validator 0x<key>:0x<proof>=<operator>` the genesis writer passes to `weft genesis new`:
 * the BLS secret never leaves the operator's machine. A key name stands for the address of that
 * keystore key's account (the one `weft genesis new --account` creates).
 */
import type { Command } from "commander";
import { type Address, parseAddress } from "../../codec/address.js";
import { blsProofOfPossession } from "../../codec/bls.js";
import { toHex } from "../../codec/bytes.js";
import { loadOrCreateValidatorKey } from "../../node/validatorKey.js";
import { contextOf } from "../context.js";
import { keystoreAccountAddress } from "../genesisAccountArgs.js";
import { keystoreDir, loadKey } from "../keystore.js";
import { UsageError } from "../output.js";

export function addGenesisValidatorCommand(genesis: Command): void {
  genesis
    .command("validator <keyFile>")
    .description(
      "on a validator's machine: its BLS key (created if absent) and proof of possession for a chain and operator, as weft genesis new's --validator 0x<key>:0x<proof>=<operator>",
    )
    .requiredOption("--chain-id <id>", "the network's chain id")
    .requiredOption(
      "--operator <who>",
      "the operator's account: an address, or a keystore key's name (its account)",
    )
    .action((keyFile: string, opts: { chainId: string; operator: string }, cmd: Command) => {
      const ctx = contextOf(cmd);
      const id = Number(opts.chainId);
      if (!Number.isSafeInteger(id) || id < 1)
        throw new UsageError(`--chain-id: an integer ≥ 1, got ${JSON.stringify(opts.chainId)}`);
      let operator: Address;
      if (opts.operator.startsWith("0x")) {
        try {
          operator = parseAddress(opts.operator);
        } catch {
          throw new UsageError(`--operator ${opts.operator}: not an address (0x + 40 hex digits)`);
        }
      } else operator = keystoreAccountAddress(loadKey(keystoreDir(ctx.options.keystore), opts.operator));
      const { key, created } = loadOrCreateValidatorKey(keyFile);
      const blsKey = `0x${toHex(key.publicKey)}`;
      const proofOfPossession = `0x${toHex(blsProofOfPossession(key, BigInt(id), operator))}`;
      const validator = `${blsKey}:${proofOfPossession}=${operator}`;
      ctx.out.result(
        { keyFile, created, chainId: String(id), operator, blsKey, proofOfPossession, validator },
        () => [
          `${created ? "created" : "read"} ${keyFile}: BLS key ${blsKey}`,
          `for chain ${id}, operator ${operator}; give the genesis writer this, for weft genesis new:`,
          `  --validator ${validator}`,
        ],
      );
    });
}
