/**
 * EVM source verification over RPC: `weft_verifyEvmSource` compiles Solidity sources with
 * the given settings and stores the ABI and sources when the runtime code is the code at
 * the address (`verify/verifyEvmSource.ts`); `weft_getEvmSource` reads them back, for the
 * explorer's EVM contract page and for tools.
 */
import type { Address } from "../../codec/address.js";
import { toHex } from "../../codec/bytes.js";
import { evmCodeHashKey } from "../../state/keys.js";
import type { ChainNode } from "../chainNode.js";
import { RpcError } from "../rpc/errors.js";
import type { RpcHandler } from "../rpc/types.js";
import { EvmVerifyError } from "../verify/evmVerifyError.js";
import { checkSourceRequest, createSolcCompiler, type SolcCompiler } from "../verify/solcCompile.js";
import { evmSourceKey, type VerifiedEvmSource, verifyEvmSource } from "../verify/verifyEvmSource.js";
import { address, bool, object, positional } from "./params.js";

/** Every refusal of `weft_verifyEvmSource`: `data.reason` is `EvmVerifyErrorCode`, `data.details` says more. */
export const EVM_VERIFY_ERROR = -32055;

export interface EvmSourceOptions {
  /** The compiler (default: one of `MAX_COMPILATIONS` threads, `DEFAULT_COMPILE_TIMEOUT_MS` each). */
  compiler?: SolcCompiler;
}

/** The verified source of the EVM code at `who`, or undefined. */
export function evmSourceAt(node: ChainNode, who: Address): VerifiedEvmSource | undefined {
  const hash = node.state.get(evmCodeHashKey(who));
  return hash === undefined ? undefined : node.db.meta<VerifiedEvmSource>(evmSourceKey(`0x${toHex(hash)}`));
}

export function evmSourceMethods(
  node: ChainNode,
  options: EvmSourceOptions = {},
): Record<string, RpcHandler> {
  const compiler = options.compiler ?? createSolcCompiler();
  return {
    /**
     * [address, { sources, contract, settings?, compilerVersion? }] → { address, codeHash,
     * name, path, match, compilerVersion, abi }: compiles and compares (see the module); the
     * record is stored unless it is a partial match where a full one is already stored.
     */
    async weft_verifyEvmSource(params) {
      const [who, req] = positional(
        params,
        2,
        2,
        "[address, { sources, contract, settings?, compilerVersion? }]",
      );
      const a = address(who, "address");
      try {
        const request = checkSourceRequest(object(req, "request"));
        const verified = await verifyEvmSource(node.state, a, request, node.head().number, compiler);
        // A full match is never replaced by a partial one (the sources it names are the exact ones).
        const kept = node.db.meta<VerifiedEvmSource>(evmSourceKey(verified.codeHash));
        if (kept?.match !== "full" || verified.match === "full")
          node.db.putMeta(evmSourceKey(verified.codeHash), verified);
        return {
          address: a,
          codeHash: verified.codeHash,
          name: verified.name,
          path: verified.path,
          match: verified.match,
          compilerVersion: verified.compiler.version,
          abi: verified.abi,
        };
      } catch (error) {
        if (error instanceof EvmVerifyError)
          throw new RpcError(EVM_VERIFY_ERROR, error.message, { reason: error.code, details: error.details });
        throw error;
      }
    },
    /**
     * [address, { sources? }?] → the verified source record of the EVM code at the address
     * (with `address`), or null; `sources: false` leaves the sources out.
     */
    weft_getEvmSource(params) {
      const [who, opts] = positional(params, 1, 2, "[address, { sources? }?]");
      const a = address(who, "address");
      const withSources = bool(
        opts === undefined ? undefined : object(opts, "options").sources,
        "sources",
        true,
      );
      const found = evmSourceAt(node, a);
      if (found === undefined) return null;
      const { sources, ...rest } = found;
      return withSources ? { address: a, ...rest, sources } : { address: a, ...rest };
    },
  };
}
