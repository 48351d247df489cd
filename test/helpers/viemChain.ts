/** viem's description of a test node's chain (its chain id and RPC address). */
import { type Chain, defineChain } from "viem";
import type { TestNode } from "./testNode.js";

export function viemChain(node: TestNode): Chain {
  return defineChain({
    id: Number(node.config.chainId),
    name: "weft-dev",
    nativeCurrency: { name: "Weft", symbol: "WEFT", decimals: 18 },
    rpcUrls: { default: { http: [node.url] } },
  });
}
