/**
 * An account's validation step, run once per node for the same transaction (issue 13):
 * admission runs the step (`Vm.validate`) and records what it read and what it answered; at
 * execution, when every value it read is still the same in the block's state, the answer
 * is given again without running the frame. Otherwise the frame runs, as without a record.
 *
 * Why the answer is the same. In restricted mode (`Vm.validate`) a validation step sees
 * only:
 *
 * - its code: the account's code hash, read from the state (`codeHashKey(account)`) and so
 *   among the recorded reads; code is stored under its hash and never changes (the code's
 *   own read, when the module cache lacked it, is not recorded);
 * - its input (the `validate` arguments) and gas limit: compared with the record's;
 * - the account's storage, through `storage_get` / `storage_has`: every key it read is
 *   recorded with its value, and read again at execution through the transaction's state
 *   (so the engine sees the same reads as the frame's, in the same order);
 * - its caller (the protocol), its own address, a value of 0 and the chain id: the same
 *   for the same account on this chain (`validateEnvelope` refuses another chain id first);
 * - pure host functions (hashes, signature checks): the same answer for the same bytes;
 * - gas: charged from the same counters for the same work, except the cold prices
 *   (`GAS.COLD_CALL` and its code and pages, `GAS.COLD_KEY`), which depend on what the
 *   transaction ran and named before. The step is the transaction's first frame both times
 *   (a fresh `TxState`, no host call before it): the record is made only from such a state,
 *   and used only when the contract and every key it named are still cold.
 *
 * Block values, gas left, balances, events, coin, calls and creations are refused in
 * restricted mode; a step that wrote storage (a session key's spending) or failed gets no
 * record. So with the same code, input, gas limit, storage values and warmth, the frame
 * would run the same instructions and give the same outcome, gas included. What the frame
 * leaves in the transaction's state besides its outcome is replayed: the contract warm with
 * its pages, the keys it named warm, its instance dropped when its memory grew.
 *
 * Trust: like the carried signing hash (`carriedValidation.ts`), a record is only ever made
 * by this node's admission on this thread; it never comes from the network, and it is used
 * only for the bytes it was made from (`carriedFor`). The parallel engine's block encoding
 * takes it to this node's own workers (`blockCodecMemo.ts`), which give it again by this
 * same check: their `TxState` reads through the incarnation's view, so the recorded keys are
 * read at the transaction's place in the block and are the transaction's reads, which
 * Block-STM's validation checks (an earlier transaction rewriting one runs it again).
 *
 * Bounded, since the pool keeps it (and the block encoding copies it): at most
 * `MAX_MEMO_READS` reads whose keys (their hex characters, as held) and values take at most
 * `MAX_MEMO_BYTES` together, or no record. An ed25519 account's step reads 160: its code
 * hash key and value (42 + 32) and its key slot's (50 + 36); a pool of 50,000 records
 * holds at most ~30 MB of them. Keys count since a storage key may be 256 bytes (512 hex
 * characters): 8 of them with empty values made a record of ~4.4 KB under a bound on values alone.
 */
import type { Address } from "../codec/address.js";
import type { StateView } from "../engine/types.js";
import { codeHashKey, SPACE_CODE, type StateKey, type StateValue } from "../state/keys.js";
import type { StateReader } from "../state/storage.js";
import type { CallOutcome } from "../vm/callContract.js";
import type { BlockEnv } from "../vm/hostContext.js";
import type { TxState } from "../vm/txState.js";
import type { ValidationRequest, Vm } from "../vm/vmApi.js";

/** Most state reads a recorded validation may have made. */
export const MAX_MEMO_READS = 8;
/** Most bytes the keys (hex characters) and values a recorded validation read may take together. */
export const MAX_MEMO_BYTES = 512;

/** What a successful validation step read and answered (see the top of this file). */
export interface ValidationMemo {
  readonly account: Address;
  /** The `validate` input it ran with. */
  readonly input: Uint8Array;
  readonly gasLimit: number;
  /** Every state read it made, in order: the key and the value read (undefined: absent). */
  readonly reads: ReadonlyArray<readonly [StateKey, StateValue | undefined]>;
  /** The keys its host calls named (warm after it). */
  readonly warmKeys: readonly StateKey[];
  /** The account contract's initial memory pages (pinned by its frame). */
  readonly pages: number;
  /** Its frame grew its memory: the pool did not keep the instance. */
  readonly dropped: boolean;
  /** Its return data ("valid until") and gas used. */
  readonly data: Uint8Array;
  readonly gasUsed: number;
}

/** A view over `reader` that can log the reads made through it (`log`, while set). */
export interface RecordingView extends StateView {
  log: Array<[StateKey, StateValue | undefined]> | undefined;
}

export function recordingView(reader: StateReader): RecordingView {
  const view: RecordingView = {
    log: undefined,
    read(key) {
      const value = reader.get(key);
      view.log?.push([key, value]);
      return value;
    },
  };
  return view;
}

/**
 * Runs validation steps through `vm.validate` for `validateEnvelope`, recording the
 * account's step into `memo` when it can be given again (admission's side).
 */
export interface ValidationRecorder {
  run(vm: Vm, state: TxState, env: BlockEnv, req: ValidationRequest): CallOutcome;
  /** The record of the last account step run, if it qualified. */
  memo: ValidationMemo | undefined;
}

/** A recorder over `view`, the view of the (fresh) `TxState` the steps will run in. */
export function validationRecorder(view: RecordingView): ValidationRecorder {
  const recorder: ValidationRecorder = {
    memo: undefined,
    run(vm, state, env, req) {
      recorder.memo = undefined;
      const contract = codeHashKey(req.account);
      // Only the transaction's first frame, in a state with no write: see the top of the file.
      const fresh =
        req.method === undefined &&
        state.pinnedPages === 0 &&
        !state.isWarm(contract) &&
        state.writes.size === 0;
      if (!fresh) return vm.validate(state, env, req);
      const log: Array<[StateKey, StateValue | undefined]> = [];
      view.log = log;
      let outcome: CallOutcome;
      try {
        outcome = vm.validate(state, env, req);
      } finally {
        view.log = undefined;
      }
      // Code is stored under its hash and never changes: its read (a module cache miss) is not recorded.
      const reads = log.filter(([k]) => !k.startsWith(SPACE_CODE));
      if (
        outcome.status !== "success" ||
        state.writes.size !== 0 ||
        state.events.length !== 0 ||
        !state.isWarm(contract) ||
        reads.length > MAX_MEMO_READS ||
        reads.reduce((sum, [k, v]) => sum + k.length + (v?.length ?? 0), 0) > MAX_MEMO_BYTES
      )
        return outcome;
      recorder.memo = {
        account: req.account,
        input: req.input,
        gasLimit: req.gasLimit,
        reads,
        warmKeys: reads.filter(([k]) => !state.isColdKey(k)).map(([k]) => k),
        pages: state.pinnedPages,
        dropped: state.isDropped(contract),
        data: outcome.data,
        gasUsed: outcome.gasUsed,
      };
      return outcome;
    },
  };
  return recorder;
}

/**
 * This thread's count of records given again (`given`) and of records whose frame ran all
 * the same (`ran`: a read value, the input, the gas limit or the warmth differed), for the
 * parallel engine's per-worker counters (`executorModule.ts`) and benchmarks. Counting only:
 * nothing reads them to decide anything.
 */
export const memoCounts = { given: 0, ran: 0 };

/**
 * Byte equality (absent equals absent): a loop for short values (a code hash, a key: making
 * a Buffer view to compare natively cost more than comparing), Buffer's compare past 64 bytes.
 */
function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  if (a.length > 64) return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The recorded outcome of `memo` for the account step `req` in `state` (execution's side),
 * with its effects on `state` replayed, when it is certain to be the frame's (see the top
 * of the file); undefined otherwise, having changed nothing but reading some of the keys.
 */
export function replayValidation(
  memo: ValidationMemo,
  state: TxState,
  req: ValidationRequest,
): CallOutcome | undefined {
  const outcome = replay(memo, state, req);
  if (outcome === undefined) memoCounts.ran++;
  else memoCounts.given++;
  return outcome;
}

function replay(memo: ValidationMemo, state: TxState, req: ValidationRequest): CallOutcome | undefined {
  if (req.method !== undefined || memo.account !== req.account || memo.gasLimit !== req.gasLimit)
    return undefined;
  if (!sameBytes(memo.input, req.input)) return undefined;
  const contract = codeHashKey(req.account);
  if (state.pinnedPages !== 0 || state.isWarm(contract) || state.writes.size !== 0) return undefined;
  for (const key of memo.warmKeys) if (!state.isColdKey(key)) return undefined;
  for (const [key, value] of memo.reads) if (!sameBytes(state.read(key), value)) return undefined;
  state.warmUp(contract, memo.pages);
  for (const key of memo.warmKeys) state.warmKey(key);
  if (memo.dropped) state.instanceDropped(contract);
  return { status: "success", data: memo.data, gasUsed: memo.gasUsed };
}
