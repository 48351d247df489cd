/**
 * The host ABI, version 1 (docs/host-abi.md): the functions a contract imports from
 * `"weft"`. They are created once per VM and act on the VM's current frame, so a fresh
 * instance per call costs no closure allocation. Every function charges its gas before
 * doing the work; a failure aborts the frame by throwing `FrameAbort`, which unwinds the
 * wasm stack back to `callContract`.
 */

import type { Address } from "../codec/address.js";
import { BLS_PUBLIC_KEY_BYTES, BLS_SIGNATURE_BYTES, verifyBls } from "../codec/bls.js";
import { keccak256, sha256 } from "../codec/hash.js";
import {
  type CanonicalScheme,
  nonCanonicalReason,
  recoverSecp256k1,
  SignatureError,
  verifyEd25519,
  verifyP256,
} from "../codec/signatures.js";
import { isStackOverflow } from "../codec/stackOverflow.js";
import { hashBytes, InternTable } from "../state/internTable.js";
import { internedStorageKey } from "../state/slotKeys.js";
import type { Frame } from "./frame.js";
import { FrameAbort } from "./frame.js";
import { GAS } from "./gasSchedule.js";
import {
  MAX_EVENT_BYTES,
  MAX_EVENT_TOPICS,
  MAX_INPUT_BYTES,
  MAX_KEY_BYTES,
  MAX_METHOD_NAME_BYTES,
  MAX_RETURN_BYTES,
  MAX_TX_EVENT_BYTES,
  MAX_TX_EVENTS,
  MAX_VALUE_BYTES,
} from "./limits.js";
import {
  offsetOf,
  readAddress,
  readBytes,
  readHex,
  readHexInterned,
  readU128,
  viewBytes,
  writeAddress,
  writeBytes,
  writeU128,
} from "./memoryAccess.js";
import type { TxState } from "./txState.js";
import { type SignatureScheme, signatureDigest } from "./verifiedSignatures.js";
import { vmError } from "./vmErrors.js";

/** The block a transaction runs in, as contracts see it. */
export interface BlockEnv {
  height: bigint;
  /** Seconds since the Unix epoch. */
  time: bigint;
  chainId: bigint;
  /**
   * Digests of signatures this node already verified (at admission): a verification whose
   * digest is here is not repeated (`verifiedSignatures.ts`). Gas and results are the same.
   */
  preverified?: ReadonlySet<string>;
}

/** Status codes of `call`, as the contract sees them. */
export const CALL_SUCCESS = 0;
export const CALL_REVERT = 1;
export const CALL_OUT_OF_GAS = 2;

export interface NestedCallRequest {
  target: Address;
  method: string;
  input: Uint8Array;
  value: bigint;
  /** Gas the caller asked to forward (0 = as much as allowed). */
  gas: number;
}

/** What `evm_call` asks the VM for (`evmBridge.ts`). */
export interface NestedEvmCallRequest {
  target: Address;
  /** The EVM call data. */
  data: Uint8Array;
  value: bigint;
  /** Weft gas the caller asked to forward (0 = as much as allowed). */
  gas: number;
}

export interface NestedCreateRequest {
  codeHash: Uint8Array;
  input: Uint8Array;
  salt: Uint8Array;
  value: bigint;
  gas: number;
}

/** What the host functions need from the VM. */
export interface HostContext {
  /** The frame currently running. */
  frame(): Frame;
  state(): TxState;
  env(): BlockEnv;
  /** True while an account's validation step runs (see `Vm.validate`). */
  restricted(): boolean;
  /** Runs a nested call from the current frame; charges its gas to the current frame. */
  call(request: NestedCallRequest): { status: number; data: Uint8Array };
  /** Runs EVM code from the current frame (`evmBridge.ts`); charges its gas to it. */
  evmCall(request: NestedEvmCallRequest): { status: number; data: Uint8Array };
  /** Deploys a contract from stored code, from the current frame; charges its gas to it. */
  create(request: NestedCreateRequest): { status: number; data: Uint8Array; address?: Address };
  /** Told the digest of each signature found valid by actually verifying it (admission records them). */
  onVerified?: (digest: string) => void;
}

/** Takes `amount` gas from the frame or aborts it with out of gas. */
export function charge(frame: Frame, amount: number): void {
  if (frame.gas.take(amount) < 0) throw new FrameAbort("outOfGas", vmError("OutOfGas"));
}

function forbidden(what: string): FrameAbort {
  return new FrameAbort("revert", vmError("ForbiddenInValidation", ["string"], [what]));
}

/**
 * A signature in a form other than its scheme's one accepted form aborts the frame with
 * `NonCanonicalSignature(reason)` instead of answering: such a signature is never made by
 * an honest signer, only derived from a valid one, and a clear error tells its sender
 * what to fix (docs/host-abi.md).
 */
function requireCanonical(scheme: CanonicalScheme, signature: Uint8Array): void {
  const reason = nonCanonicalReason(scheme, signature);
  if (reason !== undefined)
    throw new FrameAbort("revert", vmError("NonCanonicalSignature", ["string"], [reason]));
}

function limitExceeded(what: string): FrameAbort {
  return new FrameAbort("revert", vmError("LimitExceeded", ["string"], [what]));
}

const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

/** Method names called by contracts, interned by their bytes (`state/internTable.ts`). */
const methodNames = new InternTable(1 << 12);

/** The method name of `len` bytes at `ptr`, as UTF-8 (throws on invalid UTF-8, or the memory trap). */
function methodName(frame: Frame, ptr: number, len: number): string {
  const at = offsetOf(frame, ptr, len);
  const bytes = frame.memory.bytes();
  const hash = hashBytes(bytes, at, len);
  const known = methodNames.find(bytes, at, len, hash);
  if (known !== undefined) return known;
  return methodNames.add(bytes, at, len, hash, utf8Decoder.decode(bytes.subarray(at, at + len)));
}

/** The state key of the slot the contract names at `kp`, interned (`state/slotKeys.ts`). */
function slotKey(frame: Frame, kp: number, kl: number): string {
  if (kl >>> 0 > MAX_KEY_BYTES)
    throw limitExceeded(`storage key of ${kl >>> 0} bytes (max ${MAX_KEY_BYTES})`);
  const bytes = frame.memory.bytes();
  const start = kp >>> 0;
  const length = kl >>> 0;
  // Out of bounds: readHex aborts the frame with the memory trap.
  if (start + length > bytes.length) return readHex(frame, kp, kl);
  return internedStorageKey(frame.self, bytes, start, length);
}

/**
 * `key`, after charging `price` (`GAS.COLD_KEY`, or `GAS.COLD_ACCOUNT` for a balance) if no host call of the transaction named it before
 * (then it is warm: `TxState.warmKey`). Charged before the key is marked, so a frame that
 * runs out of gas here leaves it cold.
 */
function warmed(frame: Frame, state: TxState, key: string, price: number = GAS.COLD_KEY): string {
  if (state.isColdKey(key)) {
    charge(frame, price);
    state.warmKey(key);
  }
  return key;
}

/**
 * A signature verification that a digest this node recorded can stand in for, and that
 * records its digest when it verifies (see verifiedSignatures.ts). The caller charged gas.
 */
function verifiedOnce(
  ctx: HostContext,
  scheme: SignatureScheme,
  key: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
  verify: () => boolean,
): boolean {
  const known = ctx.env().preverified;
  if (known === undefined && ctx.onVerified === undefined) return verify();
  const digest = signatureDigest(scheme, key, message, signature);
  if (known?.has(digest)) return true;
  const ok = verify();
  if (ok) ctx.onVerified?.(digest);
  return ok;
}

/** Builds the `"weft"` import object bound to `ctx`. */
export function createHostFunctions(ctx: HostContext): Record<string, (...args: never[]) => unknown> {
  const host = {
    input_size(): number {
      const f = ctx.frame();
      charge(f, GAS.HOST_CALL);
      return f.input.length;
    },
    input_copy(dst: number): void {
      const f = ctx.frame();
      charge(f, GAS.HOST_CALL + GAS.BYTE * f.input.length);
      writeBytes(f, dst, f.input);
    },
    set_return(ptr: number, len: number): void {
      const f = ctx.frame();
      charge(f, GAS.HOST_CALL + GAS.RECEIPT_BYTE * Math.min(len >>> 0, MAX_RETURN_BYTES + 1));
      if (len >>> 0 > MAX_RETURN_BYTES) throw new FrameAbort("revert", vmError("ReturnDataTooLarge"));
      f.returnData = readBytes(f, ptr, len);
    },
    revert(ptr: number, len: number): never {
      const f = ctx.frame();
      charge(f, GAS.HOST_CALL + GAS.RECEIPT_BYTE * Math.min(len >>> 0, MAX_RETURN_BYTES + 1));
      if (len >>> 0 > MAX_RETURN_BYTES) throw new FrameAbort("revert", vmError("ReturnDataTooLarge"));
      throw new FrameAbort("revert", readBytes(f, ptr, len));
    },

    storage_get(kp: number, kl: number, dst: number, cap: number): number {
      const f = ctx.frame();
      charge(f, GAS.STORAGE_READ + GAS.STORAGE_KEY_BYTE * (kl >>> 0));
      const state = ctx.state();
      const value = state.read(warmed(f, state, slotKey(f, kp, kl)));
      if (value === undefined) return -1;
      const copied = Math.min(value.length, cap >>> 0);
      charge(f, GAS.BYTE * copied);
      if (copied > 0) writeBytes(f, dst, copied === value.length ? value : value.subarray(0, copied));
      return value.length;
    },
    storage_has(kp: number, kl: number): number {
      const f = ctx.frame();
      charge(f, GAS.STORAGE_READ + GAS.STORAGE_KEY_BYTE * (kl >>> 0));
      const state = ctx.state();
      return state.read(warmed(f, state, slotKey(f, kp, kl))) === undefined ? 0 : 1;
    },
    storage_set(kp: number, kl: number, vp: number, vl: number): void {
      const f = ctx.frame();
      charge(
        f,
        GAS.STORAGE_WRITE +
          GAS.STORAGE_BYTE *
            (Math.min(kl >>> 0, MAX_KEY_BYTES + 1) + Math.min(vl >>> 0, MAX_VALUE_BYTES + 1)),
      );
      if (vl >>> 0 > MAX_VALUE_BYTES)
        throw limitExceeded(`storage value of ${vl >>> 0} bytes (max ${MAX_VALUE_BYTES})`);
      const state = ctx.state();
      const key = slotKey(f, kp, kl);
      state.warmKey(key);
      state.write(key, readBytes(f, vp, vl));
    },
    /**
     * Adds (`negative` 0) or subtracts the u128 at `ap` to the number stored at the key
     * (little-endian, any length, absent = 0), stored back as 16 bytes; 1, changing
     * nothing, if the result would leave [0, 2^128). A commutative update (`TxState.add`):
     * transactions adding to one key do not depend on each other's values.
     */
    storage_add(kp: number, kl: number, ap: number, negative: number): number {
      const f = ctx.frame();
      charge(
        f,
        GAS.STORAGE_READ +
          GAS.BYTE * (Math.min(kl >>> 0, MAX_KEY_BYTES + 1) + 16) +
          GAS.STORAGE_WRITE +
          GAS.STORAGE_BYTE * (Math.min(kl >>> 0, MAX_KEY_BYTES + 1) + 16),
      );
      const amount = readU128(f, ap);
      const state = ctx.state();
      const key = slotKey(f, kp, kl);
      state.warmKey(key);
      return state.add(key, negative === 0 ? amount : -amount) ? 0 : 1;
    },
    storage_delete(kp: number, kl: number): void {
      const f = ctx.frame();
      charge(f, GAS.STORAGE_WRITE + GAS.BYTE * Math.min(kl >>> 0, MAX_KEY_BYTES + 1));
      const state = ctx.state();
      const key = slotKey(f, kp, kl);
      state.warmKey(key);
      state.write(key, null);
    },

    caller(dst: number): void {
      const f = ctx.frame();
      charge(f, GAS.HOST_CALL + GAS.ADDRESS_WRITE);
      writeAddress(f, dst, f.caller);
    },
    self_address(dst: number): void {
      const f = ctx.frame();
      charge(f, GAS.HOST_CALL + GAS.ADDRESS_WRITE);
      writeAddress(f, dst, f.self);
    },
    value(dst: number): void {
      const f = ctx.frame();
      charge(f, GAS.HOST_CALL);
      writeU128(f, dst, f.value);
    },
    block_height(): bigint {
      if (ctx.restricted()) throw forbidden("block_height");
      charge(ctx.frame(), GAS.HOST_CALL);
      return ctx.env().height;
    },
    block_time(): bigint {
      if (ctx.restricted()) throw forbidden("block_time");
      charge(ctx.frame(), GAS.HOST_CALL);
      return ctx.env().time;
    },
    chain_id(): bigint {
      charge(ctx.frame(), GAS.HOST_CALL);
      return ctx.env().chainId;
    },
    gas_left(): bigint {
      if (ctx.restricted()) throw forbidden("gas_left");
      const f = ctx.frame();
      charge(f, GAS.HOST_CALL);
      return BigInt(f.gas.value);
    },

    emit(topicsPtr: number, topicCount: number, dataPtr: number, dataLen: number): void {
      if (ctx.restricted()) throw forbidden("emit");
      const f = ctx.frame();
      const count = topicCount >>> 0;
      const len = dataLen >>> 0;
      const topicsCharged = Math.min(count, MAX_EVENT_TOPICS + 1);
      const bytes = Math.min(len, MAX_EVENT_BYTES + 1) + 32 * topicsCharged;
      charge(f, GAS.EVENT + GAS.EVENT_TOPIC * topicsCharged + GAS.RECEIPT_BYTE * bytes);
      if (count > MAX_EVENT_TOPICS) throw limitExceeded(`${count} event topics (max ${MAX_EVENT_TOPICS})`);
      if (len > MAX_EVENT_BYTES) throw limitExceeded(`event data of ${len} bytes (max ${MAX_EVENT_BYTES})`);
      const state = ctx.state();
      if (state.events.length >= MAX_TX_EVENTS)
        throw limitExceeded(`more than ${MAX_TX_EVENTS} events in one transaction`);
      if (state.eventBytes + bytes > MAX_TX_EVENT_BYTES)
        throw limitExceeded(
          `${state.eventBytes + bytes} bytes of events in one transaction (max ${MAX_TX_EVENT_BYTES}: data + 32 per topic)`,
        );
      const topics: string[] = [];
      for (let i = 0; i < count; i++) topics.push(readHexInterned(f, topicsPtr + i * 32, 32));
      state.emit({ address: f.self, topics, data: readBytes(f, dataPtr, len) });
    },

    balance(addrPtr: number, dst: number): void {
      if (ctx.restricted()) throw forbidden("balance");
      const f = ctx.frame();
      charge(f, GAS.STORAGE_READ);
      const state = ctx.state();
      const address = readAddress(f, addrPtr);
      warmed(f, state, state.balanceKeyOf(address), GAS.COLD_ACCOUNT);
      writeU128(f, dst, state.balanceOf(address));
    },
    transfer(addrPtr: number, amountPtr: number): number {
      if (ctx.restricted()) throw forbidden("transfer");
      const f = ctx.frame();
      charge(f, GAS.TRANSFER);
      const to = readAddress(f, addrPtr);
      return ctx.state().transfer(f.self, to, readU128(f, amountPtr)) ? 0 : 1;
    },

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

    sha256(ptr: number, len: number, dst: number): void {
      const f = ctx.frame();
      charge(f, GAS.HASH + GAS.SHA256_WORD * Math.ceil((len >>> 0) / 32));
      writeBytes(f, dst, sha256(viewBytes(f, ptr, len)));
    },
    keccak256(ptr: number, len: number, dst: number): void {
      const f = ctx.frame();
      charge(f, GAS.HASH + GAS.KECCAK_WORD * Math.ceil((len >>> 0) / 32));
      writeBytes(f, dst, keccak256(viewBytes(f, ptr, len)));
    },

    /** 1 if the 64-byte ed25519 signature of `msg` is valid for the 32-byte key, else 0. */
    ed25519_verify(pkPtr: number, msgPtr: number, msgLen: number, sigPtr: number): number {
      const f = ctx.frame();
      charge(f, GAS.ED25519_VERIFY + GAS.ED25519_WORD * Math.ceil((msgLen >>> 0) / 32));
      if (msgLen >>> 0 > MAX_INPUT_BYTES) throw limitExceeded(`signed message of ${msgLen >>> 0} bytes`);
      try {
        const key = readBytes(f, pkPtr, 32);
        const msg = readBytes(f, msgPtr, msgLen);
        const sig = readBytes(f, sigPtr, 64);
        requireCanonical("ed25519", sig);
        return verifiedOnce(ctx, "ed25519", key, msg, sig, () => verifyEd25519(key, msg, sig)) ? 1 : 0;
      } catch (error) {
        if (error instanceof SignatureError) return 0;
        throw error;
      }
    },
    /**
     * Recovers the signer of a 32-byte digest from a 65-byte r ‖ s ‖ v secp256k1 signature
     * (v 27 or 28, s ≤ n/2) and writes its 20-byte address to `dst`: 1, or 0 if the
     * signature is invalid. v 0/1 or a high s reverts with `NonCanonicalSignature`.
     */
    secp256k1_recover(digestPtr: number, sigPtr: number, dst: number): number {
      const f = ctx.frame();
      charge(f, GAS.SECP256K1_RECOVER);
      const sig = readBytes(f, sigPtr, 65);
      requireCanonical("secp256k1", sig);
      const address = recoverSecp256k1(readBytes(f, digestPtr, 32), sig);
      if (address === undefined) return 0;
      writeAddress(f, dst, address);
      return 1;
    },
    /**
     * 1 if the 64-byte r ‖ s P-256 signature over sha256(msg) is valid for the 65-byte key,
     * else 0. A high s (above n/2) reverts with `NonCanonicalSignature`.
     */
    p256_verify(pkPtr: number, msgPtr: number, msgLen: number, sigPtr: number): number {
      const f = ctx.frame();
      charge(f, GAS.P256_VERIFY + GAS.SHA256_WORD * Math.ceil((msgLen >>> 0) / 32));
      if (msgLen >>> 0 > MAX_INPUT_BYTES) throw limitExceeded(`signed message of ${msgLen >>> 0} bytes`);
      try {
        const key = readBytes(f, pkPtr, 65);
        const msg = readBytes(f, msgPtr, msgLen);
        const sig = readBytes(f, sigPtr, 64);
        requireCanonical("p256", sig);
        return verifiedOnce(ctx, "p256", key, msg, sig, () => verifyP256(key, msg, sig)) ? 1 : 0;
      } catch (error) {
        if (error instanceof SignatureError) return 0;
        throw error;
      }
    },
    /**
     * 1 if the 96-byte compressed BLS12-381 signature of `msg` is valid for the 48-byte
     * compressed public key (subgroup-checked, not infinity), else 0 (codec/bls.ts).
     */
    bls_verify(pkPtr: number, msgPtr: number, msgLen: number, sigPtr: number): number {
      const f = ctx.frame();
      charge(f, GAS.BLS_VERIFY + GAS.SHA256_WORD * Math.ceil((msgLen >>> 0) / 32));
      if (msgLen >>> 0 > MAX_INPUT_BYTES) throw limitExceeded(`signed message of ${msgLen >>> 0} bytes`);
      const key = readBytes(f, pkPtr, BLS_PUBLIC_KEY_BYTES);
      const msg = readBytes(f, msgPtr, msgLen);
      const sig = readBytes(f, sigPtr, BLS_SIGNATURE_BYTES);
      return verifyBls(key, msg, sig) ? 1 : 0;
    },
  };
  return host as unknown as Record<string, (...args: never[]) => unknown>;
}
