/** Deploys a WebAssembly text fixture (`wat.ts`) on a test chain, from dev account 1. */
import type { Address } from "../../src/codec/address.js";
import { account } from "./chain.js";
import type { TestChain } from "./contracts.js";
import { wat } from "./wat.js";

/** Deploys `source` on `chain`; its address. Throws naming `what` when the deployment fails. */
export function deployWat(chain: TestChain, source: string, what: string): Address {
  const receipt = chain.runOne({
    kind: "deploy",
    from: account(1),
    code: wat(source),
    args: new Uint8Array(0),
    value: 0n,
    gasLimit: 50_000_000,
    gasPrice: 1n,
  });
  if (receipt.status !== "success" || receipt.contractAddress === undefined)
    throw new Error(`${what} did not deploy: ${JSON.stringify(receipt.output)}`);
  return receipt.contractAddress;
}
