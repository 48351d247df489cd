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
import { relative } from "node:path";
import type { Address } from "../codec/address.js";
import { toHex } from "../codec/bytes.js";
import { keccak256 } from "../codec/hash.js";
import type { ContractMetadata } from "../codec/metadata.js";
import { GENESIS_ARTIFACTS, SHIPPED_ARTIFACTS } from "../node/explorer/index.js";
import { type DeploymentRecord, deploymentsFile, findProject, readDeployments } from "../project/project.js";
import type { WeftClient } from "../sdk/client/index.js";
import { artifact } from "./context.js";
import { evmNeedsAbi, holdsEvmCode } from "./evmCalls.js";
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
  /**
   * The address `text` names: an address, a genesis name, or (in a project) a deployed
   * contract's name, checked against the chain (no code there, or other code, is an error).
   */
  addressOf(text: string): Promise<{ address: Address; name: string | undefined }>;
  /** The contract at `address` when its metadata is known (genesis or shipped code), else undefined. */
  at(address: Address): Promise<KnownContract | undefined>;
}

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;

/** The network whose deployments a project's contracts are named from: `--network`, else env WEFT_NETWORK (when not empty), else local. */
export function projectNetwork(option?: string): string {
  return option ?? (process.env.WEFT_NETWORK || "local");
}

/** Inside a `weft init` project: the names of its built contracts. */
function projectContracts(): string[] {
  const project = findProject();
  if (project === undefined || !existsSync(project.buildDir)) return [];
  return readdirSync(project.buildDir)
    .filter((f) => f.endsWith(".wasm"))
    .map((f) => f.slice(0, -".wasm".length));
}

/** Inside a project: its deployments on `network` and the file they are recorded in. */
function projectDeployments(network: string): {
  file: string | undefined;
  records: Record<string, DeploymentRecord>;
} {
  const project = findProject();
  if (project === undefined) return { file: undefined, records: {} };
  const file =
    relative(process.cwd(), deploymentsFile(project, network)) || deploymentsFile(project, network);
  return { file, records: readDeployments(project, network) };
}

/**
 * Throws when the recorded deployment `name` is not what the chain holds at its address: no
 * code there (the chain was reset or is another chain) or other code (the address was reused).
 */
async function checkRecorded(
  client: WeftClient,
  name: string,
  record: DeploymentRecord,
  file: string,
): Promise<void> {
  const { codeHash } = await client.getAccount(record.address as Address);
  const redeploy = `deploy it again on this chain: weft deploy ${name} ...`;
  if (codeHash === null)
    throw new UsageError(
      `no contract at ${record.address} on the chain at ${client.transport.url}: ${file} records ${name} there from another chain or an earlier one (block ${record.blockNumber}, ${record.deployedAt})`,
      [
        redeploy,
        "(another node: check --rpc or WEFT_RPC; a dev chain starts empty after its .weft/data is removed)",
      ],
    );
  if (codeHash.toLowerCase() !== record.codeHash.toLowerCase())
    throw new UsageError(
      `the code at ${record.address} is not the ${name} that ${file} records (code hash ${codeHash}, recorded ${record.codeHash}): the deployments file is from another chain`,
      [redeploy],
    );
}

/** `network`: the project deployments file names are looked up in (default: projectNetwork()). */
export function contractBook(client: WeftClient, options: { network?: string } = {}): ContractBook {
  const network = projectNetwork(options.network);
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
    async addressOf(text) {
      if (ADDRESS_RE.test(text)) return { address: text.toLowerCase() as Address, name: undefined };
      const contracts = await genesisContracts();
      const deployed = projectDeployments(network);
      const genesisEntry = Object.entries(contracts).find(([n]) => n.toLowerCase() === text.toLowerCase());
      const record = genesisEntry === undefined ? deployed.records[text] : undefined;
      if (genesisEntry === undefined && record === undefined) {
        const names = Object.keys(deployed.records);
        throw new UsageError(
          deployed.file === undefined
            ? `${JSON.stringify(text)} is neither an address nor a genesis contract`
            : `${JSON.stringify(text)} is neither an address, a genesis contract nor a contract deployed by this project`,
          [
            `genesis contracts: ${Object.keys(contracts).join(", ")}`,
            ...(deployed.file === undefined
              ? []
              : [
                  names.length > 0
                    ? `deployed by this project (${deployed.file}): ${names.join(", ")}`
                    : `no deployments recorded in ${deployed.file} (network ${network}; --network or WEFT_NETWORK picks another)`,
                ]),
            "an address is 0x + 40 hex digits",
          ],
        );
      }
      if (record !== undefined) {
        await checkRecorded(client, text, record, deployed.file as string);
        return { name: text, address: record.address.toLowerCase() as Address };
      }
      const [n, a] = genesisEntry as [string, Address];
      return { name: n, address: a.toLowerCase() as Address };
    },
    async resolve(text, abi) {
      const { address, name } = await book.addressOf(text);
      if (abi !== undefined) {
        // A WASM contract's metadata cannot call EVM code (its calls would reach no WASM contract).
        if (await holdsEvmCode(client, address)) throw evmNeedsAbi(address);
        return { address, name: name ?? abi, metadata: artifact(abi).metadata };
      }
      const known = await book.at(address);
      if (known === undefined) {
        if (await holdsEvmCode(client, address)) throw evmNeedsAbi(address);
        throw new UsageError(`no metadata known for the contract at ${address}`, [
          "name the built contract that describes it: --abi <name> (token, router, ...)",
          "for an EVM (Solidity) contract: --abi <file.json> (its ABI, or a Hardhat/Foundry artifact)",
        ]);
      }
      return known;
    },
  };
  return book;
}
