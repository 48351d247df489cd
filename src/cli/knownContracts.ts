/**
 * The contracts the CLI can name and decode without `--abi`: the genesis contracts, by
 * name (`wusd`, `router`...) or address, and any contract whose code is a shipped
 * artifact's (a token deployed with `weft deploy token`, a smart account), found by the
 * code hash the node reports, or whose metadata was verified with the node (`weft verify`).
 * Inside a `weft init` project also its own contracts: by name from
 * `deployments/<WEFT_NETWORK or local>.json`, and by code hash from `build/`.
 * `call`, `tx` and the decoding of receipts use it; `--abi` remains for the rest.
 */
import { existsSync, readdirSync } from "node:fs";
import type { Address } from "../codec/address.js";
import { toHex } from "../codec/bytes.js";
import { keccak256 } from "../codec/hash.js";
import type { ContractMetadata } from "../codec/metadata.js";
import { GENESIS_ARTIFACTS, SHIPPED_ARTIFACTS } from "../node/explorer/index.js";
import { findProject, readDeployments } from "../project/project.js";
import type { WeftClient } from "../sdk/client/index.js";
import { artifact } from "./context.js";
import { UsageError } from "./output.js";

export interface KnownContract {
  address: Address;
  /** The genesis name (`wusd`) or, for any other contract, its artifact's name. */
  name: string;
  metadata: ContractMetadata;
}

export interface ContractBook {
  /** `text` is a genesis name or an address; `abi` names the metadata when the book cannot tell. */
  resolve(text: string, abi?: string): Promise<KnownContract>;
  /** The contract at `address` when its metadata is known (genesis or shipped code), else undefined. */
  at(address: Address): Promise<KnownContract | undefined>;
}

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;

/** The network whose deployments a project's contracts are named from (env WEFT_NETWORK, default local). */
function projectNetwork(): string {
  return process.env.WEFT_NETWORK ?? "local";
}

/** Inside a `weft init` project: the names of its built contracts. */
function projectContracts(): string[] {
  const project = findProject();
  if (project === undefined || !existsSync(project.buildDir)) return [];
  return readdirSync(project.buildDir)
    .filter((f) => f.endsWith(".wasm"))
    .map((f) => f.slice(0, -".wasm".length));
}

/** Inside a project: its deployments on the current network, name → address. */
function projectDeployments(): Record<string, Address> {
  const project = findProject();
  if (project === undefined) return {};
  return Object.fromEntries(
    Object.entries(readDeployments(project, projectNetwork())).map(([n, r]) => [n, r.address as Address]),
  );
}

export function contractBook(client: WeftClient): ContractBook {
  let genesis: Promise<Record<string, Address>> | undefined;
  const genesisContracts = () => {
    genesis ??= client.genesis().then((g) => g.contracts);
    return genesis;
  };
  let hashes: Map<string, string> | undefined;
  /** keccak256 of each shipped artifact's code (0x hex) → the artifact's name (built ones only). */
  const artifactByCodeHash = (): Map<string, string> => {
    if (hashes !== undefined) return hashes;
    hashes = new Map();
    for (const name of [...SHIPPED_ARTIFACTS, ...projectContracts()]) {
      try {
        hashes.set(`0x${toHex(keccak256(artifact(name).code))}`, name);
      } catch {
        // Not built: contracts of that kind stay undecoded.
      }
    }
    return hashes;
  };
  const cache = new Map<Address, Promise<KnownContract | undefined>>();

  async function lookup(address: Address): Promise<KnownContract | undefined> {
    const named = Object.entries(await genesisContracts()).find(([, a]) => a.toLowerCase() === address);
    if (named !== undefined) {
      const [name] = named;
      return { address, name, metadata: artifact(GENESIS_ARTIFACTS[name] ?? name).metadata };
    }
    const { codeHash } = await client.getAccount(address);
    const name = codeHash === null ? undefined : artifactByCodeHash().get(codeHash.toLowerCase());
    if (name !== undefined) return { address, name, metadata: artifact(name).metadata };
    if (codeHash === null) return undefined;
    // Code verified with `weft verify` (the node checked the metadata against it).
    const verified = await client.request<{ name: string; metadata: ContractMetadata } | null>(
      "weft_getContractMetadata",
      [address],
    );
    return verified === null ? undefined : { address, name: verified.name, metadata: verified.metadata };
  }

  const book: ContractBook = {
    at(address) {
      const key = address.toLowerCase() as Address;
      let found = cache.get(key);
      if (found === undefined) {
        found = lookup(key);
        cache.set(key, found);
      }
      return found;
    },
    async resolve(text, abi) {
      let address: Address;
      let name: string | undefined;
      if (ADDRESS_RE.test(text)) address = text.toLowerCase() as Address;
      else {
        const contracts = await genesisContracts();
        const deployed = projectDeployments();
        const entry =
          Object.entries(contracts).find(([n]) => n.toLowerCase() === text.toLowerCase()) ??
          Object.entries(deployed).find(([n]) => n === text);
        if (entry === undefined)
          throw new UsageError(`${JSON.stringify(text)} is neither an address nor a genesis contract`, [
            `genesis contracts: ${Object.keys(contracts).join(", ")}`,
            ...(Object.keys(deployed).length > 0
              ? [`deployed by this project (${projectNetwork()}): ${Object.keys(deployed).join(", ")}`]
              : []),
            "an address is 0x + 40 hex digits",
          ]);
        [name, address] = [entry[0], entry[1].toLowerCase() as Address];
      }
      if (abi !== undefined) return { address, name: name ?? abi, metadata: artifact(abi).metadata };
      const known = await book.at(address);
      if (known === undefined)
        throw new UsageError(`no metadata known for the contract at ${address}`, [
          "name the built contract that describes it: --abi <name> (token, router, ...)",
        ]);
      return known;
    },
  };
  return book;
}
