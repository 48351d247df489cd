/**
 * The host ABI, version 1 (docs/host-abi.md): the functions a contract imports from
 * `"weft"`. They are created once per VM and act on the VM's current frame, so a fresh
 * instance per call costs no closure allocation. Every function charges its gas before
 * doing the work; a failure aborts the frame by throwing `FrameAbort`, which unwinds the
 * wasm stack back to `callContract`. Here: the call's input and result, storage, the
 * block, events and balances; calls out of the frame are in `hostCalls.ts`, hashing and
 * signatures in `hostCrypto.ts`, what they need from the VM in `hostContext.ts`.
 */

import { internedStorageKey } from "../state/slotKeys.js";
import type { Frame } from "./frame.js";
import { FrameAbort } from "./frame.js";
import { GAS } from "./gasSchedule.js";
import { callHostFunctions } from "./hostCalls.js";
import { charge, forbidden, type HostContext, limitExceeded } from "./hostContext.js";
import { cryptoHostFunctions } from "./hostCrypto.js";
import {
  MAX_EVENT_BYTES,
  MAX_EVENT_TOPICS,
  MAX_KEY_BYTES,
  MAX_RETURN_BYTES,
  MAX_TX_EVENT_BYTES,
  MAX_TX_EVENTS,
  MAX_VALUE_BYTES,
} from "./limits.js";
import {
  readAddress,
  readBytes,
  readHex,
  readHexInterned,
  readU128,
  writeAddress,
  writeBytes,
  writeU128,
} from "./memoryAccess.js";
import type { TxState } from "./txState.js";
import { vmError } from "./vmErrors.js";

/** The state key of the slot the contract names at `kp`, interned (`state/slotKeys.ts`). */
function slotKey(frame: Frame, kp: number, kl: number): string {
  if (kl >>> 0 > MAX_KEY_BYTES)
    throw limitExceeded(`storage key of ${kl >>> 0} bytes (max ${MAX_KEY_BYTES})`);
  const bytes = frame.memory.bytes();
  const start = kp >>> 0;
  const length = kl >>> 0;
  // Out of bounds: readHex aborts the frame with the memory trap.
  if (start + length > bytes.length) return readHex(frame, kp, kl);
  return internedStorageKey(frame.self, bytes, start, length, frame.memory.words());
}

/**
 * `key`, after charging `price` (`GAS.COLD_KEY`, or `GAS.COLD_ACCOUNT` for a balance) if no host call of the transaction named it before
 * (then it is warm: `TxState.warmKey`). Charged before the key is marked, so a frame that
 * runs out of gas here leaves it cold.
 */
function warmed(frame: Frame, state: TxState, key: string, price: number = GAS.COLD_KEY): string {
  if (state.isColdKey(key)) {
    charge(frame, price);
    state.warmColdKey(key);
  }
  return key;
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
    ...callHostFunctions(ctx),
    ...cryptoHostFunctions(ctx),
  };
  return host as unknown as Record<string, (...args: never[]) => unknown>;
}
