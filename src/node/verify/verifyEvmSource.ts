/**
 * Verifying an EVM contract's Solidity source (`weft_verifyEvmSource`, `weft verify <address>
 * <file.sol>`), as Etherscan and Sourcify do: the sources and compiler settings are compiled
 * by the node (`solcCompile.ts`, on a thread with a time limit), and the named contract's
 * runtime code must be the code deployed at the address, immutables and the metadata tail
 * aside (`evmBytecode.ts`: a full or a partial match). What is stored, under the code hash
 * in the chain database's meta (`evmsource:<codeHash>`), is the ABI with its selectors and
 * event topics (`abiSignatures.ts`), the sources, the compiler version and settings, so the
 * explorer shows the source and decodes calls, events and errors of every contract running
 * that code.
 */
import type { Address } from "../../codec/address.js";
import { fromHex, toHex } from "../../codec/bytes.js";
import { evmCodeHashKey, evmCodeKey } from "../../state/keys.js";
import type { StateReader } from "../../state/storage.js";
import { type AbiItem, type AbiSignatures, abiSignatures } from "./abiSignatures.js";
import { compareRuntime, type ImmutableReferences, type RuntimeMatch } from "./evmBytecode.js";
import { EvmVerifyError } from "./evmVerifyError.js";
import { type SolcCompiler, type SourceRequest, solcInput } from "./solcCompile.js";

/** What is stored for verified EVM code. */
export interface VerifiedEvmSource {
  codeHash: string;
  /** The contract's name and its source unit. */
  name: string;
  path: string;
  abi: AbiItem[];
  signatures: AbiSignatures;
  sources: Record<string, string>;
  compiler: { version: string; settings: Record<string, unknown> };
  match: RuntimeMatch;
  verifiedAt: { address: Address; blockNumber: number };
}

export const evmSourceKey = (codeHash: string): string => `evmsource:${codeHash}`;

/** solc's errors shown back, at most this many. */
const MAX_ERRORS_SHOWN = 20;

interface SolcContract {
  abi: AbiItem[];
  metadata?: string;
  evm?: { deployedBytecode?: { object?: string; immutableReferences?: ImmutableReferences } };
}

interface SolcOutput {
  errors?: Array<{ severity: string; formattedMessage?: string; message?: string }>;
  contracts?: Record<string, Record<string, SolcContract>>;
}

function pickContract(
  output: SolcOutput,
  wanted: string,
): { path: string; name: string; contract: SolcContract } {
  const at = wanted.lastIndexOf(":");
  const name = at < 0 ? wanted : wanted.slice(at + 1);
  const path = at < 0 ? undefined : wanted.slice(0, at);
  const found: Array<{ path: string; name: string; contract: SolcContract }> = [];
  for (const [p, contracts] of Object.entries(output.contracts ?? {})) {
    if (path !== undefined && p !== path) continue;
    const contract = contracts[name];
    if (contract !== undefined) found.push({ path: p, name, contract });
  }
  const first = found[0];
  if (first === undefined)
    throw new EvmVerifyError("NO_CONTRACT", `no contract ${wanted} in the compiled sources`, [
      "name the contract as it is declared (contract Name), or path:Name",
    ]);
  if (found.length > 1)
    throw new EvmVerifyError(
      "BAD_INPUT",
      `${found.length} contracts are called ${name}: say which with path:Name`,
      found.map((f) => `${f.path}:${f.name}`),
    );
  return first;
}

/**
 * Compiles `request` and checks it against the EVM code at `address`; resolves to what to
 * store, or throws `EvmVerifyError` saying why not.
 */
export async function verifyEvmSource(
  state: StateReader,
  address: Address,
  request: SourceRequest,
  blockNumber: number,
  compiler: SolcCompiler,
): Promise<VerifiedEvmSource> {
  const hash = state.get(evmCodeHashKey(address));
  const deployed = hash === undefined ? undefined : state.get(evmCodeKey(hash));
  if (hash === undefined || deployed === undefined || deployed.length === 0)
    throw new EvmVerifyError("NO_EVM_CODE", `${address} holds no EVM code`, [
      "give the address of a deployed EVM contract (weft verify <address> <metadata> verifies WASM contracts)",
    ]);
  const { version, output: text } = await compiler.compile(solcInput(request), request.compilerVersion);
  const output = JSON.parse(text) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length > 0)
    throw new EvmVerifyError(
      "COMPILE_FAILED",
      `solc reported ${errors.length} error${errors.length === 1 ? "" : "s"}`,
      errors
        .slice(0, MAX_ERRORS_SHOWN)
        .map((e) => String(e.formattedMessage ?? e.message ?? "").slice(0, 1_000)),
    );
  const { path, name, contract } = pickContract(output, request.contract);
  const object = contract.evm?.deployedBytecode?.object ?? "";
  if (object.length === 0)
    throw new EvmVerifyError(
      "NO_CONTRACT",
      `${path}:${name} has no runtime code (abstract, or an interface)`,
    );
  if (object.includes("__$"))
    throw new EvmVerifyError("LINK_NEEDED", `${path}:${name} calls libraries that are not linked`, [
      "give each library's address in settings.libraries: { path: { Library: address } }",
    ]);
  const refs = contract.evm?.deployedBytecode?.immutableReferences ?? {};
  const compared = compareRuntime(deployed, fromHex(object), refs);
  if (compared.match === null)
    throw new EvmVerifyError("BYTECODE_MISMATCH", `the compiled ${name} is not the code at ${address}`, [
      `deployed: ${compared.deployedLength} bytes; compiled with solc ${version}: ${compared.compiledLength} bytes; first difference at byte ${compared.firstDifference}`,
      "the settings must be those it was deployed with: optimizer (enabled, runs), evmVersion, viaIR, and the compiler version",
    ]);
  return {
    codeHash: `0x${toHex(hash)}`,
    name,
    path,
    abi: contract.abi,
    signatures: abiSignatures(contract.abi),
    sources: request.sources,
    compiler: { version, settings: request.settings ?? {} },
    match: compared.match,
    verifiedAt: { address, blockNumber },
  };
}
