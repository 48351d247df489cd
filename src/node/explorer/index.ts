/**
 * The block explorer: a web page the node serves at `/explorer`, with its assets under
 * `/explorer/...` and the shipped contracts' metadata at `/explorer/metadata.json`.
 *
 * The page has no build step: plain HTML, CSS and ES modules in `./static/`, read once at
 * start from a directory resolved relative to this module, so it works from `src/` and from
 * `dist/src/` (as `src/chain/artifacts.ts` finds `contracts/build`). In the browser it talks
 * to the node's JSON-RPC on the same origin: `POST /` for reads, a WebSocket for `newHeads`.
 *
 * `metadata.json` needs no RPC: it is built from the node's genesis record and the compiled
 * contracts' metadata (see `explorerMetadata`).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadArtifact } from "../../chain/artifacts.js";
import type { Address } from "../../codec/address.js";
import { toHex } from "../../codec/bytes.js";
import { keccak256 } from "../../codec/hash.js";
import type { ContractMetadata } from "../../codec/metadata.js";
import type { GenesisInfo } from "../genesis/genesis.js";
import type { HttpRoute } from "../rpc/http.js";

/** Where the page lives. */
export const EXPLORER_PATH = "/explorer";

/** Genesis contract names whose code is another artifact's (the rest are named after their artifact). */
export const GENESIS_ARTIFACTS: Readonly<Record<string, string>> = {
  wusd: "token",
  weth: "token",
  pool: "pair",
  factory2: "factory",
  router2: "router",
  pool2: "pair",
  collectibles: "rentableNft",
  farmReward: "token",
  heroes: "rentableNft",
  gold: "token",
  govToken: "votesToken",
  optionsOracle: "oracle",
  coveredCallVault: "optionVault",
  putVault: "optionVault",
  saleToken: "token",
  airdrop: "merkleDistributor",
};

/** Account kinds in the genesis record → the artifact of their account contract. */
const ACCOUNT_ARTIFACTS: Readonly<Record<string, string>> = {
  ed25519: "ed25519Account",
  secp256k1: "secp256k1Account",
  passkey: "passkeyAccount",
  multisig: "multisigAccount",
};

/** The contracts shipped in `contracts/src` (the test contracts are left out). */
export const SHIPPED_ARTIFACTS: readonly string[] = [
  "token",
  "pair",
  "factory",
  "router",
  "oracle",
  "lending",
  "staking",
  "accountFactory",
  "sponsorPaymaster",
  "tokenPaymaster",
  "farm",
  "game",
  "ed25519Account",
  "secp256k1Account",
  "passkeyAccount",
  "multisigAccount",
  "nft",
  "rentableNft",
  "nftMarket",
  "votesToken",
  "governor",
  "timelock",
  "options",
  "optionVault",
  "sale",
  "vesting",
  "merkleDistributor",
];

/** What `/explorer/metadata.json` answers. */
export interface ExplorerMetadata {
  chainId: string;
  /** Genesis contract name → its address, artifact and metadata (null when no artifact matches). */
  contracts: Record<string, { address: Address; artifact: string; metadata: ContractMetadata | null }>;
  /** The dev accounts and the artifact of their account contract (`dev0`.. in the CLI). */
  accounts: Array<{ address: Address; kind: string; artifact: string | null }>;
  /** The Ethereum dev accounts' addresses (`eth0`.. in the CLI; no code). */
  ethAccounts: Address[];
  /** Metadata of every shipped artifact, by artifact name. */
  artifacts: Record<string, ContractMetadata>;
  /** keccak256 of each shipped artifact's code (0x hex) → artifact name: recognises contracts deployed later from the same code. */
  codeHashes: Record<string, string>;
}

/** Builds the explorer's metadata from the genesis record and the compiled contracts. */
export function explorerMetadata(
  genesis: GenesisInfo,
  load: typeof loadArtifact = loadArtifact,
): ExplorerMetadata {
  const artifacts: Record<string, ContractMetadata> = {};
  const codeHashes: Record<string, string> = {};
  const artifact = (name: string): ContractMetadata | null => {
    const known = artifacts[name];
    if (known !== undefined) return known;
    try {
      const a = load(name);
      artifacts[name] = a.metadata;
      codeHashes[`0x${toHex(keccak256(a.code))}`] = name;
      return a.metadata;
    } catch {
      return null;
    }
  };
  for (const name of SHIPPED_ARTIFACTS) artifact(name);
  const contracts: ExplorerMetadata["contracts"] = {};
  for (const [name, address] of Object.entries(genesis.contracts)) {
    const artifactName = GENESIS_ARTIFACTS[name] ?? name;
    contracts[name] = { address, artifact: artifactName, metadata: artifact(artifactName) };
  }
  const accounts = genesis.accounts.map((a) => {
    const name = ACCOUNT_ARTIFACTS[a.kind] ?? null;
    return { address: a.address, kind: a.kind, artifact: name !== null && artifact(name) ? name : null };
  });
  const ethAccounts = (genesis.ethAccounts ?? []).map((a) => a.address);
  return { chainId: genesis.chainId, contracts, accounts, ethAccounts, artifacts, codeHashes };
}

/** The static files' directory, from `src/node/explorer` or `dist/src/node/explorer`. */
export function explorerStaticDir(): string | undefined {
  for (const up of ["./static/", "../../../../src/node/explorer/static/"]) {
    const dir = fileURLToPath(new URL(up, import.meta.url));
    if (existsSync(join(dir, "index.html"))) return dir;
  }
  return undefined;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json; charset=utf-8",
};

/** The page may load only its own scripts and styles and talk only to its own origin. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, {
    "content-type": type,
    "cache-control": "no-cache",
    "x-content-type-options": "nosniff",
    "content-security-policy": CSP,
  });
  res.end(body);
}

/** Etherscan's URL forms and the page's view each lands on (`/explorer/token/<a>` is the address page). */
const LINK_FORMS: Readonly<Record<string, string>> = {
  tx: "tx",
  address: "address",
  block: "block",
  token: "address",
};
/** What such a URL's last segment may be: a hash, an address, a block number, a contract's name. */
const LINK_TARGET = /^[0-9A-Za-z_]{1,80}$/;

/**
 * Etherscan-style links (`/explorer/tx/<hash>`, `/explorer/address/<a>`, `/explorer/block/<n>`,
 * `/explorer/token/<a>`): a redirect (302) to the page's own route (`/explorer/#/tx/<hash>`),
 * which says "not found" itself; a target that is no hash, address, number or name is 404.
 */
function linkRoutes(): Record<string, HttpRoute> {
  const routes: Record<string, HttpRoute> = {};
  for (const [form, view] of Object.entries(LINK_FORMS)) {
    routes[`${EXPLORER_PATH}/${form}/*`] = (req, res) => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      const target = path.slice(path.lastIndexOf("/") + 1);
      if (!LINK_TARGET.test(target)) {
        send(
          res,
          404,
          "text/plain; charset=utf-8",
          `not a ${form} the explorer can show: ${JSON.stringify(target.slice(0, 80))}\n`,
        );
        return;
      }
      res.writeHead(302, { location: `${EXPLORER_PATH}/#/${view}/${target}`, "cache-control": "no-cache" });
      res.end();
    };
  }
  return routes;
}

/**
 * The explorer's GET routes (exact paths, as the RPC server wants them, and `<dir>/*` for
 * Etherscan-style links): the page at `/explorer` and `/explorer/`, each static file at
 * `/explorer/<name>`, `/explorer/metadata.json`, and `/explorer/{tx,address,block,token}/<id>`.
 */
export function explorerRoutes(
  node: { genesis: GenesisInfo },
  dir = explorerStaticDir(),
): Record<string, HttpRoute> {
  let metadata: string | undefined;
  const routes: Record<string, HttpRoute> = {
    ...linkRoutes(),
    [`${EXPLORER_PATH}/metadata.json`]: (_req: IncomingMessage, res: ServerResponse) => {
      metadata ??= JSON.stringify(explorerMetadata(node.genesis));
      send(res, 200, "application/json; charset=utf-8", metadata);
    },
  };
  if (dir === undefined) {
    const missing: HttpRoute = (_req, res) =>
      send(res, 503, "text/plain; charset=utf-8", "explorer files not found (src/node/explorer/static)\n");
    routes[EXPLORER_PATH] = missing;
    routes[`${EXPLORER_PATH}/`] = missing;
    return routes;
  }
  for (const name of readdirSync(dir)) {
    const type = CONTENT_TYPES[extname(name)];
    if (type === undefined) continue;
    const body = readFileSync(join(dir, name));
    const route: HttpRoute = (_req, res) => send(res, 200, type, body);
    routes[`${EXPLORER_PATH}/${name}`] = route;
    if (name === "index.html") {
      routes[EXPLORER_PATH] = route;
      routes[`${EXPLORER_PATH}/`] = route;
    }
  }
  return routes;
}
