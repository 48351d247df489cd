/**
 * Which module adds each top-level `weft` command, so that a run loads only the module of the
 * command it runs: all of them load ~740 modules (libp2p, the EVM, the node) and cost ~0.8 s of
 * CPU before the command starts; one command group loads a part of that. `weft` with no
 * command, `--help`, `help` or a word no entry names loads them all (the full help, commander's
 * own "unknown command"). test/unit/cli/commandTable.test.ts checks each entry against what its
 * module really adds.
 */
import type { Command } from "commander";

/** Adds one group of commands to the program. */
export type AddCommands = (program: Command) => void;

export interface CommandModule {
  /** The top-level command names the module adds. */
  readonly commands: readonly string[];
  readonly load: () => Promise<AddCommands>;
}

/** Every command module, in the order `weft --help` lists their commands. */
export const COMMAND_MODULES: readonly CommandModule[] = [
  { commands: ["node"], load: async () => (await import("./nodeCommand.js")).addNodeCommand },
  { commands: ["keys"], load: async () => (await import("./commands/keys.js")).addKeyCommands },
  { commands: ["account"], load: async () => (await import("./commands/accounts.js")).addAccountCommands },
  {
    commands: ["send", "transfer"],
    load: async () => (await import("./commands/transfers.js")).addTransferCommands,
  },
  { commands: ["farm"], load: async () => (await import("./commands/farm.js")).addFarmCommands },
  { commands: ["gov"], load: async () => (await import("./commands/governance.js")).addGovernanceCommands },
  { commands: ["game"], load: async () => (await import("./commands/game.js")).addGameCommands },
  {
    commands: ["init", "test"],
    load: async () => (await import("./commands/project.js")).addProjectCommands,
  },
  {
    commands: ["build", "deploy", "call", "tx"],
    load: async () => (await import("./commands/contracts.js")).addContractCommands,
  },
  {
    commands: ["receipt", "logs"],
    load: async () => (await import("./commands/history.js")).addHistoryCommands,
  },
  { commands: ["status"], load: async () => (await import("./commands/status.js")).addStatusCommand },
  { commands: ["airdrop"], load: async () => (await import("./commands/airdrop.js")).addAirdropCommands },
  {
    commands: ["sale"],
    load: async () => {
      const [sale, create] = await Promise.all([
        import("./commands/sale.js"),
        import("./commands/saleCreate.js"),
      ]);
      return (program) => {
        create.addSaleCreateCommands(sale.addSaleCommands(program));
      };
    },
  },
  { commands: ["vesting"], load: async () => (await import("./commands/vesting.js")).addVestingCommands },
  { commands: ["nft"], load: async () => (await import("./commands/nft.js")).addNftCommands },
  { commands: ["options"], load: async () => (await import("./commands/options.js")).addOptionsCommands },
  {
    commands: ["strategies"],
    load: async () => (await import("./commands/strategies.js")).addStrategiesCommands,
  },
  { commands: ["verify"], load: async () => (await import("./commands/verify.js")).addVerifyCommand },
  { commands: ["proof"], load: async () => (await import("./commands/proof.js")).addProofCommand },
  { commands: ["bench", "load"], load: async () => (await import("./commands/bench.js")).addBenchCommands },
  { commands: ["db"], load: async () => (await import("./commands/db.js")).addDbCommands },
  {
    commands: ["validator"],
    load: async () => (await import("./commands/validator.js")).addValidatorCommands,
  },
  { commands: ["genesis"], load: async () => (await import("./commands/genesis.js")).addGenesisCommands },
  { commands: ["testnet"], load: async () => (await import("./commands/testnet.js")).addTestnetCommand },
];

/** The program's own options that take a value (`--rpc <url>`, `--keystore <dir>`). */
const VALUED = new Set(["--rpc", "--keystore"]);
/** The program's own options that take none. */
const FLAGS = new Set(["--json"]);

/**
 * The command word of a command line (the arguments after `weft`): the first argument past the
 * program's own options, or undefined when there is none or an option comes first that is not
 * the program's (`--help`, `-V`, a mistyped one: commander answers those with everything loaded).
 * @example commandWord(["--rpc", "http://x", "--json", "call", "wusd", "total"]) === "call"
 */
export function commandWord(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (VALUED.has(arg)) i++;
    else if (FLAGS.has(arg) || [...VALUED].some((o) => arg.startsWith(`${o}=`))) continue;
    else return arg.startsWith("-") ? undefined : arg;
  }
  return undefined;
}

/** Adds to `program` the commands a run of `args` needs: the one it names, or all of them. */
export async function addCommandsFor(program: Command, args: readonly string[]): Promise<void> {
  const word = commandWord(args);
  const named = COMMAND_MODULES.filter((m) => word !== undefined && m.commands.includes(word));
  for (const add of await Promise.all((named.length > 0 ? named : COMMAND_MODULES).map((m) => m.load())))
    add(program);
}
