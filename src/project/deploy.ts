/**
 * Deploying a project's contract to a node and recording it (`weft deploy`, and the
 * `scripts/deploy.mjs` that `weft init` writes): the deployment is a call of the chain's
 * deploy target from a smart account, its address and code hash then kept in
 * `deployments/<network>.json`.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { ContractArtifact } from "../chain/artifacts.js";
import { DEPLOY_ARGS, DEPLOY_METHOD, DEPLOY_TARGET } from "../chain/executeEnvelope.js";
import { encodeAbi } from "../codec/abi.js";
import type { Address } from "../codec/address.js";
import { toHex } from "../codec/bytes.js";
import { keccak256 } from "../codec/hash.js";
import { encodeCall } from "../codec/metadata.js";
import { type Account, ed25519Account, type WeftClient } from "../sdk/client/index.js";
import type { Receipt } from "../sdk/client/types.js";
import { devSigner } from "../sdk/devKeys.js";
import { buildProject } from "./build.js";
import { type DeploymentRecord, type Project, projectArtifact, recordDeployment } from "./project.js";

export class DeployError extends Error {
  constructor(
    readonly code: "BAD_ARGS" | "NOT_DEPLOYED" | "NO_DEV_ACCOUNT" | "BAD_KEY" | "NO_ACCOUNT",
    message: string,
  ) {
    super(message);
    this.name = "DeployError";
  }
}

/** Development account `index` of the node's genesis (public keys: for development chains only). */
export async function devAccount(client: WeftClient, index = 0): Promise<Account> {
  const genesis = await client.genesis();
  const account = genesis.accounts[index];
  if (account === undefined)
    throw new DeployError(
      "NO_DEV_ACCOUNT",
      `this chain has ${genesis.accounts.length} development accounts; dev${index} is not one`,
    );
  return ed25519Account(devSigner(index).secret, account.address as Address);
}

export interface DeployParams {
  client: WeftClient;
  account: Account;
  artifact: ContractArtifact;
  /** The `init` arguments (none when the contract has no `init`). */
  args?: readonly unknown[];
  /** 32 bytes; random by default. */
  salt?: Uint8Array;
}

/** Deploys `artifact`; resolves with the receipt once mined, throws NOT_DEPLOYED when it did not succeed. */
export async function deployContract(p: DeployParams): Promise<Receipt & { contractAddress: Address }> {
  const args = p.args ?? [];
  const { metadata, code } = p.artifact;
  if (metadata.constructor === null && args.length > 0)
    throw new DeployError("BAD_ARGS", `${p.artifact.name} has no init method; it takes no arguments`);
  const initArgs =
    metadata.constructor === null
      ? new Uint8Array(0)
      : encodeCall({ ...metadata, methods: [metadata.constructor] }, "init", args);
  const salt = p.salt ?? new Uint8Array(randomBytes(32));
  if (salt.length !== 32) throw new DeployError("BAD_ARGS", `salt: 32 bytes, got ${salt.length}`);
  const receipt = await p.client.sendAndWait({
    account: p.account,
    calls: [
      { target: DEPLOY_TARGET, method: DEPLOY_METHOD, args: encodeAbi(DEPLOY_ARGS, [code, initArgs, salt]) },
    ],
    decodeWith: [metadata],
  });
  if (receipt.status !== "success" || receipt.contractAddress === undefined)
    throw new DeployError(
      "NOT_DEPLOYED",
      `deploying ${p.artifact.name}: ${receipt.status}, no contract address`,
    );
  return receipt as Receipt & { contractAddress: Address };
}

/**
 * Rebuilds the project's contract `name` when its sources changed since its last build (the
 * build's `build/<name>.inputs` no longer matches), as Hardhat and Foundry compile before
 * deploying; true when it was rebuilt. A contract with no sources here (only a built wasm)
 * is left as it is.
 */
export async function rebuildIfStale(project: Project, name: string): Promise<boolean> {
  if (!existsSync(join(project.contractsDir, name, "main.ts"))) return false;
  const { built } = await buildProject(project, { names: [name], log: () => {} });
  return built.includes(name);
}

/**
 * Deploys the project's contract `name` (rebuilt first when its sources changed) and records
 * it for `network`; then registers its metadata with the node (`weft_verifyContract`, checked
 * against the deployed code) so the explorer and the CLI decode its calls and events. Returns
 * the record, the file, the earlier deployment of that name it replaced (kept in
 * `previous`), whether it was rebuilt, and whether the node took the metadata (`verified`;
 * false, with the reason in `verifyError`, when it refused, e.g. a node without that method).
 */
export async function deployProjectContract(
  project: Project,
  network: string,
  p: Omit<DeployParams, "artifact"> & { name: string },
): Promise<{
  record: DeploymentRecord;
  file: string;
  receipt: Receipt;
  replaced: DeploymentRecord | undefined;
  rebuilt: boolean;
  verified: boolean;
  verifyError?: string;
}> {
  const rebuilt = await rebuildIfStale(project, p.name);
  const artifact = projectArtifact(project, p.name);
  const receipt = await deployContract({ ...p, artifact });
  const record: DeploymentRecord = {
    address: receipt.contractAddress,
    codeHash: `0x${toHex(keccak256(artifact.code))}`,
    txHash: receipt.txHash,
    blockNumber: String(receipt.blockNumber),
    chainId: String(await p.client.chainId()),
    deployedAt: new Date().toISOString(),
  };
  const { file, replaced } = recordDeployment(project, network, p.name, record);
  try {
    await p.client.request("weft_verifyContract", [
      receipt.contractAddress,
      artifact.metadata,
      `0x${toHex(artifact.code)}`,
    ]);
    return { record, file, receipt, replaced, rebuilt, verified: true };
  } catch (error) {
    const verifyError = error instanceof Error ? error.message : String(error);
    return { record, file, receipt, replaced, rebuilt, verified: false, verifyError };
  }
}
