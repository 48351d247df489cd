#!/usr/bin/env node
/**
 * The `weft` command line: a local chain, keys and accounts, transfers, contracts, proofs
 * and benchmarks. Human output by default, `--json` everywhere, exit codes in output.ts.
 */
import { Command } from "commander";
import { addCommandsFor } from "./commandTable.js";
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
// Only the module of the command being run is loaded (commandTable.ts); all of them for help.
await addCommandsFor(program, process.argv.slice(2));

program.parseAsync(process.argv).catch((error: unknown) => {
  process.exit(reportError(error, process.argv.includes("--json")));
});
