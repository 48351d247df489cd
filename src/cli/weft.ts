#!/usr/bin/env node
/** The `weft` command line. */
import { Command } from "commander";
import { addNodeCommand } from "./nodeCommand.js";

const program = new Command();
program.name("weft").description("Weft: a parallel smart-contract chain in TypeScript").version("0.1.0");
addNodeCommand(program);
program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`weft: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
