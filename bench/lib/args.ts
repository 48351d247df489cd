/**
 * Command-line options of the benchmark programs: `--help` prints the usage, and an
 * unknown or malformed option is reported in one line with the usage (exit code 2)
 * instead of a stack trace.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";

type Config = { options: NonNullable<ParseArgsConfig["options"]> };

export function benchArgs<T extends Config>(
  usage: string,
  config: T,
): ReturnType<typeof parseArgs<T>>["values"] {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(`usage: ${usage}`);
    process.exit(0);
  }
  try {
    return parseArgs(config).values;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) {
      console.error(`${(error as Error).message}\nusage: ${usage}`);
      process.exit(2);
    }
    throw error;
  }
}
