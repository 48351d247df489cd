/**
 * Deploying a project's contract to a node and recording it (`weft deploy`, and the
 * `scripts/deploy.mjs` that `weft init` writes): the deployment is a call of the chain's
 * deploy target from a smart account, its address and code hash then kept in
 * `deployments/<network>.json`.
 */
import { randomBytes } from "node:crypto";
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
 * Deploys the project's built contract `name` and records it for `network`; returns the
 * record, the file and the earlier deployment of that name it replaced (kept in `previous`).
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
}> {
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
  return { record, file, receipt, replaced };
}
