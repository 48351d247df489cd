/**
 * Shared by the examples: the development accounts' keys, and running an example as a
 * script (`node dist/src/sdk/client/examples/<name>.js [url]`).
 */
import { pathToFileURL } from "node:url";
import { devSigner } from "../../devKeys.js";
import { ed25519Account, type LocalAccount } from "../accounts.js";
import type { WeftClient } from "../client.js";
import type { Address } from "../types.js";

/** Where `npm start` serves. */
export const DEFAULT_URL = "http://127.0.0.1:8545";

/** Where the examples print (tests pass their own). */
export type Print = (line: string) => void;

/**
 * Development account `index` of a `weft node` chain: its address from `weft_genesis`, its
 * key from the seed the node derives it from (the node prints the same secrets on start).
 */
export async function devAccount(client: WeftClient, index: number): Promise<LocalAccount> {
  const { accounts } = await client.genesis();
  const entry = accounts[index];
  if (entry === undefined)
    throw new RangeError(`the chain has ${accounts.length} dev accounts, not ${index + 1}`);
  return ed25519Account(devSigner(index).secret, entry.address);
}

/** The ws:// URL of the same node. */
export function webSocketUrl(url: string): string {
  return url.replace(/^http/, "ws");
}

/** A fresh address nobody controls, to send things to. */
export function someAddress(tag: number): Address {
  return `0x${tag.toString(16).padStart(4, "0")}${"00".repeat(16)}${Date.now().toString(16).slice(-4).padStart(4, "0")}`;
}

/** Runs `main` with the URL from the command line when the file is the program being run. */
export function runIfMain(moduleUrl: string, main: (url: string) => Promise<void>): void {
  const script = process.argv[1];
  if (script === undefined || pathToFileURL(script).href !== moduleUrl) return;
  main(process.argv[2] ?? DEFAULT_URL).catch((error: unknown) => {
    console.error(String(error));
    process.exitCode = 1;
  });
}
