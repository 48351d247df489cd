#!/usr/bin/env node
/**
 * The `weft` command line: a local chain, keys and accounts, transfers, contracts, proofs
 * and benchmarks. Human output by default, `--json` everywhere, exit codes in output.ts.
 */
import { Command } from "commander";
import { addAccountCommands } from "./commands/accounts.js";
import { addAirdropCommands } from "./commands/airdrop.js";
import { addBenchCommands } from "./commands/bench.js";
import { addContractCommands } from "./commands/contracts.js";
import { addDbCommands } from "./commands/db.js";
import { addFarmCommands } from "./commands/farm.js";
import { addGameCommands } from "./commands/game.js";
import { addGenesisCommands } from "./commands/genesis.js";
import { addGovernanceCommands } from "./commands/governance.js";
import { addHistoryCommands } from "./commands/history.js";
import { addKeyCommands } from "./commands/keys.js";
import { addNftCommands } from "./commands/nft.js";
import { addOptionsCommands } from "./commands/options.js";
import { addProjectCommands } from "./commands/project.js";
import { addProofCommand } from "./commands/proof.js";
import { addSaleCommands } from "./commands/sale.js";
import { addSaleCreateCommands } from "./commands/saleCreate.js";
import { addStatusCommand } from "./commands/status.js";
import { addStrategiesCommands } from "./commands/strategies.js";
import { addTestnetCommand } from "./commands/testnet.js";
import { addTransferCommands } from "./commands/transfers.js";
import { addValidatorCommands } from "./commands/validator.js";
import { addVerifyCommand } from "./commands/verify.js";
import { addVestingCommands } from "./commands/vesting.js";
import { addNodeCommand } from "./nodeCommand.js";
import { EXIT, reportError } from "./output.js";

const program = new Command();
program
  .name("weft")
  .description("Weft: a parallel smart-contract chain in TypeScript")
  .version("0.1.0")
  .option(
    "--rpc <url>",
    "the node's JSON-RPC URL (env WEFT_RPC)",
    process.env.WEFT_RPC ?? "http://127.0.0.1:8545",
  )
  .option("--json", "print one JSON document instead of text (errors as JSON on stderr)", false)
  .option("--keystore <dir>", "where keys are kept (env WEFT_KEYSTORE, default ./.weft/keys)")
  .addHelpText(
    "after",
    `
Your own contracts: weft init <dir> (docs/tutorial.md), then weft build, weft test, weft deploy there.
Start a node first (npx weft node; npm start in the Weft repository), then in another terminal:
  weft keys new alice && weft account create alice --from dev0
  weft send 0x00000000000000000000000000000000000000ab 1.5 --from alice
  weft call wusd balanceOf 0x00000000000000000000000000000000000000ab

Amounts: send, transfer and --fund take whole coin or tokens (--raw: smallest units);
deploy, call and tx take a contract method's own integers, raw (1000e6 = 1000 × 10^6).
Contracts: call and tx name a genesis contract (wusd, weth, router, pool...) or an address;
--abi <name> only for code not built here.
Exit codes: 0 done, 1 failed, 2 bad usage, 3 refused by the node, 4 reverted,
5 chain database damaged (weft db check).`,
  )
  .showHelpAfterError()
  .exitOverride((error) => {
    // Usage errors from commander (unknown option, missing argument) exit 2; --help and --version 0.
    process.exit(error.exitCode === 0 ? EXIT.ok : EXIT.usage);
  });
addNodeCommand(program);
addKeyCommands(program);
addAccountCommands(program);
addTransferCommands(program);
addFarmCommands(program);
addGovernanceCommands(program);
addGameCommands(program);
addProjectCommands(program);
addContractCommands(program);
addHistoryCommands(program);
addStatusCommand(program);
addAirdropCommands(program);
addSaleCreateCommands(addSaleCommands(program));
addVestingCommands(program);
addNftCommands(program);
addOptionsCommands(program);
addStrategiesCommands(program);
addVerifyCommand(program);
addProofCommand(program);
addBenchCommands(program);
addDbCommands(program);
addValidatorCommands(program);
addGenesisCommands(program);
addTestnetCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.exit(reportError(error, process.argv.includes("--json")));
});
