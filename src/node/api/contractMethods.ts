/**
 * RPC methods about user contracts and accounts: verifying a contract's metadata against
 * its code (`weft_verifyContract`), reading it back (`weft_getContractMetadata`), and an
 * account's transaction history (`weft_getAccountTransactions`), read from the account
 * index the chain database writes with each block.
 */
import { decodeTx } from "../../chain/tx/envelope.js";
import type { Address } from "../../codec/address.js";
import { toHex } from "../../codec/bytes.js";
import { codeHashKey } from "../../state/keys.js";
import { MAX_CODE_BYTES } from "../../vm/limits.js";
import type { ChainNode } from "../chainNode.js";
import { isEthRaw } from "../pendingTx.js";
import { invalidParams, RpcError } from "../rpc/errors.js";
import type { RpcHandler } from "../rpc/types.js";
import {
  type VerifiedCode,
  VerifyError,
  type VerifyErrorCode,
  verifiedCodeKey,
  verifyContract,
} from "../verify/verifyContract.js";
import { evmSourceKey } from "../verify/verifyEvmSource.js";
import { forgetBlockSummaries } from "./ethShapes.js";
import { address, bytes, object, positional, string } from "./params.js";
import { storedEthTx } from "./txJson.js";
import { learnVerified } from "./wasmEventLogs.js";

/** Most contracts `weft_findContracts` answers. */
export const MAX_FOUND_CONTRACTS = 20;

/** JSON-RPC codes of verification refusals; `data.reason` is the code's name, `data.details` says more. */
export const VERIFY_ERROR_CODES: Record<VerifyErrorCode, number> = {
  NO_CODE: -32050,
  CODE_MISMATCH: -32051,
  BAD_METADATA: -32052,
  METADATA_MISMATCH: -32053,
  BAD_WASM: -32054,
};

const MAX_HISTORY_PAGE = 100;
const DEFAULT_HISTORY_PAGE = 25;

function cursorOf(value: unknown): { block: number; tx: number } | undefined {
  if (value === undefined || value === null) return undefined;
  const text = string(value, "before", 40);
  const m = /^(\d{1,15}):(\d{1,10})$/.exec(text);
  if (m === null)
    throw invalidParams(
      `before: expected a cursor "block:index" from a previous page, got ${JSON.stringify(text)}`,
    );
  return { block: Number(m[1]), tx: Number(m[2]) };
}

export function contractMethods(node: ChainNode): Record<string, RpcHandler> {
  const verifiedAt = (who: Address): (VerifiedCode & { address: Address }) | null => {
    const code = node.state.get(codeHashKey(who));
    if (code === undefined) return null;
    const found = node.db.meta<VerifiedCode>(verifiedCodeKey(`0x${toHex(code)}`));
    return found === undefined ? null : { address: who, ...found };
  };
  return {
    /**
     * [address, metadata (object), wasmHex] → { address, codeHash, name }: checks that the
     * metadata was built for the code at `address` (the wasm's hash is the code hash, its
     * exported methods are the metadata's) and stores it for every contract with that code.
     */
    weft_verifyContract(params) {
      const [who, meta, wasm] = positional(params, 3, 3, "[address, metadata, wasmHex]");
      const a = address(who, "address");
      object(meta, "metadata");
      try {
        const verified = verifyContract(
          node.state,
          a,
          meta,
          bytes(wasm, "wasm", MAX_CODE_BYTES),
          node.head().number,
        );
        node.db.putMeta(verifiedCodeKey(verified.codeHash), verified);
        learnVerified(node, verified.codeHash, verified.metadata);
        forgetBlockSummaries();
        return { address: a, codeHash: verified.codeHash, name: verified.name };
      } catch (error) {
        if (error instanceof VerifyError)
          throw new RpcError(VERIFY_ERROR_CODES[error.code], error.message, {
            reason: error.code,
            details: error.details,
          });
        throw error;
      }
    },
    /**
     * [name] → [{ name, address, kind }]: the verified contracts (WASM metadata, `kind: "wasm"`;
     * Solidity sources, `kind: "evm"`) whose name is `name` in any case, or starts with it (exact
     * matches first), at most `MAX_FOUND_CONTRACTS`; the address is the one verified. The
     * explorer's search by name. Reads every verified record (one per verified code).
     */
    weft_findContracts(params) {
      const [text] = positional(params, 1, 1, "[name]");
      const q = string(text, "name", 128).trim().toLowerCase();
      if (q === "") throw invalidParams("name: expected a contract's name, not blank");
      const exact: Array<{ name: string; address: string; kind: string }> = [];
      const prefix: typeof exact = [];
      for (const [prefixKey, kind] of [
        [verifiedCodeKey(""), "wasm"],
        [evmSourceKey(""), "evm"],
      ] as const) {
        const records = node.db.metaEntries<{ name?: unknown; verifiedAt?: { address?: unknown } }>(
          prefixKey,
        );
        for (const [, record] of records) {
          const name = record?.name;
          const at = record?.verifiedAt?.address;
          if (typeof name !== "string" || typeof at !== "string") continue;
          const n = name.toLowerCase();
          if (n === q) exact.push({ name, address: at, kind });
          else if (n.startsWith(q)) prefix.push({ name, address: at, kind });
        }
      }
      return [...exact, ...prefix].slice(0, MAX_FOUND_CONTRACTS);
    },
    /** [address] → { address, codeHash, name, metadata, verifiedAt } for verified code, else null. */
    weft_getContractMetadata(params) {
      const [who] = positional(params, 1, 1, "[address]");
      return verifiedAt(address(who, "address"));
    },
    /**
     * [address, { limit?, before? }?] → { transactions, next }: the transactions the address
     * sent, or that called or deployed it, newest first; `next` is the cursor of the following
     * page (null at the end).
     */
    weft_getAccountTransactions(params) {
      const [who, opts] = positional(params, 1, 2, "[address, { limit?, before? }?]");
      const a = address(who, "address");
      const o = opts === undefined ? {} : object(opts, "options");
      let limit = DEFAULT_HISTORY_PAGE;
      if (o.limit !== undefined) {
        if (
          typeof o.limit !== "number" ||
          !Number.isInteger(o.limit) ||
          o.limit < 1 ||
          o.limit > MAX_HISTORY_PAGE
        )
          throw invalidParams(`limit: expected an integer from 1 to ${MAX_HISTORY_PAGE}`);
        limit = o.limit;
      }
      const positions = node.db.accountTxs(a, limit + 1, cursorOf(o.before));
      const page = positions.slice(0, limit);
      const transactions = page.map(({ block, tx }) => {
        const hash = node.db.block(block)?.txHashes[tx];
        const stored = hash === undefined ? undefined : node.db.tx(hash);
        const receipt = hash === undefined ? undefined : node.db.receipt(hash);
        if (hash === undefined || stored === undefined) return { blockNumber: block, index: tx, hash: null };
        const done = {
          status: receipt?.status ?? null,
          fee: receipt?.fee ?? null,
          contractAddress: receipt?.contractAddress ?? null,
        };
        if (isEthRaw(stored.raw)) {
          const eth = storedEthTx(stored.raw, receipt?.from);
          const to = eth.fields.to ?? null;
          return {
            hash,
            blockNumber: block,
            index: tx,
            kind: "eth",
            from: eth.from,
            to,
            value: eth.fields.value.toString(),
            /** The input's first 4 bytes (the method's selector; "0x" for a plain transfer). */
            selector: `0x${toHex(eth.fields.data.subarray(0, 4))}`,
            ...done,
          };
        }
        const env = decodeTx(stored.raw);
        return {
          hash,
          blockNumber: block,
          index: tx,
          from: env.sender,
          calls: env.calls.map((c) => ({ target: c.target, method: c.method, value: c.value.toString() })),
          status: receipt?.status ?? null,
          fee: receipt?.fee ?? null,
          contractAddress: receipt?.contractAddress ?? null,
        };
      });
      const last = page[page.length - 1];
      return {
        address: a,
        transactions,
        next: positions.length > limit && last !== undefined ? `${last.block}:${last.tx}` : null,
      };
    },
  };
}
