/**
 * The host functions that leave the frame (docs/host-abi.md): `call` and `create` of WASM
 * contracts, `evm_call` of EVM code, and the return data they leave (`returndata_size`,
 * `returndata_copy`). Part of the `"weft"` import object (`hostFunctions.ts`).
 */
import { isStackOverflow } from "../codec/stackOverflow.js";
import { hashBytes, InternTable } from "../state/internTable.js";
import type { Frame } from "./frame.js";
import { FrameAbort } from "./frame.js";
import { GAS } from "./gasSchedule.js";
import { CALL_REVERT, charge, forbidden, type HostContext, limitExceeded } from "./hostContext.js";
import { MAX_INPUT_BYTES, MAX_METHOD_NAME_BYTES } from "./limits.js";
import {
  offsetOf,
  readAddress,
  readBytes,
  readU128,
  viewBytes,
  writeAddress,
  writeBytes,
} from "./memoryAccess.js";
import { vmError } from "./vmErrors.js";

const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

/** Method names called by contracts, interned by their bytes (`state/internTable.ts`). */
const methodNames = new InternTable(1 << 12);

/** The method name of `len` bytes at `ptr`, as UTF-8 (throws on invalid UTF-8, or the memory trap). */
function methodName(frame: Frame, ptr: number, len: number): string {
  const at = offsetOf(frame, ptr, len);
  const bytes = frame.memory.bytes();
  const words = frame.memory.words();
  const hash = hashBytes(bytes, at, len, words);
  const known = methodNames.find(bytes, at, len, hash, words);
  if (known !== undefined) return known;
  return methodNames.add(bytes, at, len, hash, utf8Decoder.decode(bytes.subarray(at, at + len)));
}

/** `call`, `evm_call`, `create` and the return data, bound to `ctx`. */
export function callHostFunctions(ctx: HostContext) {
  return {
    call(
      addrPtr: number,
      methodPtr: number,
      methodLen: number,
      argsPtr: number,
      argsLen: number,
      valuePtr: number,
      gas: bigint,
    ): number {
      if (ctx.restricted()) throw forbidden("call");
      const f = ctx.frame();
      const mLen = methodLen >>> 0;
      const aLen = argsLen >>> 0;
      charge(f, GAS.HOST_CALL + GAS.BYTE * (mLen + aLen));
      if (aLen > MAX_INPUT_BYTES) throw limitExceeded(`call input of ${aLen} bytes (max ${MAX_INPUT_BYTES})`);
      const target = readAddress(f, addrPtr);
      const value = readU128(f, valuePtr);
      // A view, not a copy: nothing can write this frame's memory while the call it makes
      // runs (the frame is suspended, its instance is its own, a contract cannot be
      // re-entered), and the nested frame only reads its input, keeping nothing of it.
      const input = viewBytes(f, argsPtr, aLen);
      let method: string;
      try {
        if (mLen > MAX_METHOD_NAME_BYTES) throw new Error("too long");
        method = methodName(f, methodPtr, mLen);
      } catch (e) {
        if (e instanceof FrameAbort || isStackOverflow(e)) throw e;
        // Priced as the failed call it is: the name's decoding threw (`GAS.CALL_FAILED`).
        charge(f, GAS.CALL + GAS.CALL_FAILED);
        f.lastCallData = vmError("NoSuchMethod", ["string"], ["<invalid method name>"]);
        return CALL_REVERT;
      }
      const requested = gas < 0n ? 0 : gas > 0x7fffffffn ? 0x7fffffff : Number(gas);
      const result = ctx.call({ target, method, input, value, gas: requested });
      f.lastCallData = result.data;
      return result.status;
    },
    /**
     * Calls EVM code at `addr` with the call data at `dataPtr` (Ethereum's ABI), sending
     * `value` (u128 LE) from this contract, with at most `gas` Weft gas (capped at 63/64 of
     * what is left; 0 = as much as allowed). The EVM sees this contract's address as the
     * caller. Returns 0/1/2 as `call` does, the return or revert data as return data.
     */
    evm_call(addrPtr: number, dataPtr: number, dataLen: number, valuePtr: number, gas: bigint): number {
      if (ctx.restricted()) throw forbidden("evm_call");
      const f = ctx.frame();
      const len = dataLen >>> 0;
      charge(f, GAS.HOST_CALL + GAS.BYTE * len);
      if (len > MAX_INPUT_BYTES)
        throw limitExceeded(`EVM call data of ${len} bytes (max ${MAX_INPUT_BYTES})`);
      const target = readAddress(f, addrPtr);
      const value = readU128(f, valuePtr);
      // A copy: the EVM keeps its call data (CALLDATACOPY reads it at any time).
      const data = readBytes(f, dataPtr, len);
      const requested = gas < 0n ? 0 : gas > 0x7fffffffn ? 0x7fffffff : Number(gas);
      const result = ctx.evmCall({ target, data, value, gas: requested });
      f.lastCallData = result.data;
      return result.status;
    },
    /**
     * Deploys a contract from code already on chain (by code hash), from this contract:
     * address = f(this contract, salt, code hash, args). Writes the address to `dst` and
     * returns 0, or returns 1/2 (revert/out of gas) with the revert data as return data.
     */
    create(
      codeHashPtr: number,
      argsPtr: number,
      argsLen: number,
      saltPtr: number,
      valuePtr: number,
      gas: bigint,
      dst: number,
    ): number {
      if (ctx.restricted()) throw forbidden("create");
      const f = ctx.frame();
      const aLen = argsLen >>> 0;
      charge(f, GAS.HOST_CALL + GAS.BYTE * aLen);
      if (aLen > MAX_INPUT_BYTES)
        throw limitExceeded(`constructor input of ${aLen} bytes (max ${MAX_INPUT_BYTES})`);
      const codeHash = readBytes(f, codeHashPtr, 32);
      const salt = readBytes(f, saltPtr, 32);
      const value = readU128(f, valuePtr);
      const input = readBytes(f, argsPtr, aLen);
      const requested = gas < 0n ? 0 : gas > 0x7fffffffn ? 0x7fffffff : Number(gas);
      const result = ctx.create({ codeHash, input, salt, value, gas: requested });
      f.lastCallData = result.data;
      if (result.address !== undefined) writeAddress(f, dst, result.address);
      return result.status;
    },
    returndata_size(): number {
      const f = ctx.frame();
      charge(f, GAS.HOST_CALL);
      return f.lastCallData.length;
    },
    returndata_copy(dst: number): void {
      const f = ctx.frame();
      charge(f, GAS.HOST_CALL + GAS.BYTE * f.lastCallData.length);
      writeBytes(f, dst, f.lastCallData);
    },
  };
}
