/** Test helper: a `ChainNode` (no RPC server) in a fresh temporary folder for one run. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChainNode, type ChainNodeOptions } from "../../src/node/chainNode.js";

/** Opens a node with `options` in a folder named from `prefix`, runs `run`, then closes the node and removes the folder. */
export async function withChainNode<T>(
  prefix: string,
  options: Omit<ChainNodeOptions, "dataDir">,
  run: (node: ChainNode) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try {
    const node = await ChainNode.open({ ...options, dataDir: dir });
    try {
      return await run(node);
    } finally {
      await node.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
