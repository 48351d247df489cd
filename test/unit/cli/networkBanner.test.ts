/**
 * What a node on a validator network says about itself, with real processes: `weft testnet`
 * prints each validator's p2p multiaddr and the line a full node joins with; a validator's and
 * a full node's banners say what the node is (role, chain id, genesis file and block 0's
 * hash, p2p multiaddrs, JSON-RPC URL) and print no development keys; `weft_status` reports
 * the connected peers and whether the node is syncing.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { testnetLines } from "../../../src/cli/commands/testnet.js";
import { launchNode, type NodeProcess } from "../../../src/node/launch.js";
import { TestnetError } from "../../../src/node/testnet/errors.js";
import { type RunningTestnet, startTestnet } from "../../../src/node/testnet/launch.js";
import { rpc } from "../../../src/sdk/rpcClient.js";

interface Status {
  head: { number: number; hash: string };
  peers: number;
  syncing: boolean;
}

async function startOn(dir: string): Promise<RunningTestnet> {
  for (let attempt = 0; ; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 40_000);
    try {
      return await startTestnet({ dir, validators: 1, port, p2pPort: port + 50, blockTimeMs: 200 });
    } catch (error) {
      if (!(error instanceof TestnetError && error.code === "PORT_IN_USE") || attempt > 5) throw error;
    }
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const got = await probe();
      if (got !== undefined) return got;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what}: not within ${ms / 1000} s${last === undefined ? "" : ` (${String(last)})`}`);
}

/** The banner's checks shared by both roles. */
function assertNetworkBanner(
  text: string,
  role: RegExp,
  genesisFile: string,
  blockZero: string,
  url: string,
) {
  assert.match(text, role);
  assert.doesNotMatch(text, /local chain/);
  assert.doesNotMatch(text, /secret key|private key|Development accounts/, "no dev keys");
  assert.match(text, /chain id +4242/);
  assert.ok(text.includes(genesisFile), "names the genesis file");
  assert.ok(text.includes(blockZero), "block 0's hash");
  assert.match(text, /p2p +\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/12D3Koo\w+/);
  assert.ok(text.includes(`JSON-RPC   ${url.replace(/\/$/, "")}`), "the RPC URL");
}

describe("nodes on a network say what they are", () => {
  it("testnet and full node banners; weft_status peers and syncing", async () => {
    const root = mkdtempSync(join(tmpdir(), "weft-netbanner-"));
    const dir = join(root, "net");
    let net: RunningTestnet | undefined;
    let full: NodeProcess | undefined;
    try {
      net = await startOn(dir);
      const v = net.members[0];
      assert.ok(v);
      const genesisFile = join(dir, "genesis.json");
      const lines = testnetLines(net).join("\n");
      assert.ok(lines.includes(`p2p ${v.p2p}`), "each validator's p2p multiaddr");
      assert.ok(lines.includes(`weft node --genesis ${genesisFile}`) && lines.includes(`--peers ${v.p2p}`));

      const blockZero = (await rpc<{ hash: string }>(v.url, "weft_getBlockByNumber", [0])).hash;
      const validatorBanner = await until("the validator's banner in its log", async () => {
        const text = readFileSync(v.log, "utf8");
        return text.includes("Ctrl-C stops the node") ? text : undefined;
      });
      assertNetworkBanner(
        validatorBanner,
        /this node is a validator in the active set, rank \d of \d by stake \(operator 0x[0-9a-f]+; BLS key 0x[0-9a-f]+/,
        genesisFile,
        blockZero,
        v.url,
      );
      assert.ok(validatorBanner.includes(v.p2p.split("/p2p/")[1] as string), "its own peer id");

      // A full node joining through the validator.
      await until("the validator at block 3", async () =>
        (await rpc<number>(v.url, "weft_blockNumber")) >= 3 ? true : undefined,
      );
      full = await launchNode(join(root, "full"), [
        "--genesis",
        genesisFile,
        "--peers",
        v.p2p,
        "--port",
        "0",
      ]);
      const node = full;
      const fullBanner = await until("the full node's banner", async () => {
        const text = node.stderr.join("\n");
        return text.includes("Ctrl-C stops the node") ? text : undefined;
      });
      assertNetworkBanner(fullBanner, /this node is a full node/, genesisFile, blockZero, node.url);

      // weft_status: both see a peer; the full node catches up, then is not syncing.
      const validatorStatus = await until("the validator sees a peer", async () => {
        const s = await rpc<Status>(v.url, "weft_status");
        return s.peers >= 1 ? s : undefined;
      });
      assert.equal(validatorStatus.peers, 1, "the full node");
      await until("the full node at the head, not syncing, with its peer", async () => {
        const [mine, theirs] = await Promise.all([
          rpc<Status>(node.url, "weft_status"),
          rpc<Status>(v.url, "weft_status"),
        ]);
        return mine.peers === 1 &&
          !mine.syncing &&
          mine.head.number >= 3 &&
          mine.head.number + 2 >= theirs.head.number
          ? true
          : undefined;
      });
    } finally {
      full?.child.kill("SIGTERM");
      await full?.exited;
      await net?.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
