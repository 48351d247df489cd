/**
 * An admission worker: decodes raw transactions and runs their checks and validation
 * steps (`validateEnvelope`, nonce rule "next or later"; for an Ethereum transaction its
 * sender's recovery and Ethereum's rules, `ethAdmission.ts`) against the committed state,
 * read straight from the chain database (LMDB lets every thread read the environment the
 * main thread writes). The main thread then only adds the accepted ones to the pool.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { BlockContext } from "../chain/blockContext.js";
import { decodeTx, MAX_TX_BYTES, TxDecodeError, type TxEnvelope } from "../chain/tx/envelope.js";
import { effectivePrice, validateEnvelope } from "../chain/validateEnvelope.js";
import { toHex } from "../codec/bytes.js";
import { keccak256 } from "../codec/hash.js";
import type { EthTx } from "../evm/ethTx.js";
import type { ModuleList } from "../vm/moduleCache.js";
import { assertThreadStack } from "../vm/stackCheck.js";
import { TxState } from "../vm/txState.js";
import { createVm } from "../vm/vm.js";
import { AdmissionError, type AdmissionErrorCode } from "./admissionError.js";
import { judgeEthTx } from "./ethAdmission.js";
import { isEthRaw } from "./pendingTx.js";
import { openChainDb } from "./store/chainDb.js";
import {
  type InjectedReadFault,
  injectedReadFaults,
  type StoreErrorData,
  storeErrorData,
  storeErrorIn,
} from "./store/storeError.js";

export type WorkerVerdict =
  | {
      ok: true;
      envelope: TxEnvelope;
      eth?: undefined;
      hash: `0x${string}`;
      price: bigint;
      nextSequence: bigint;
      /** Digests of the signatures its validation verified (execution will not verify them again). */
      verified: string[];
      /** The signing hash and `validate` input it computed (`chain/carriedValidation.ts`), for `carry` with the bytes. */
      signingHash: Uint8Array;
      validateInput: Uint8Array;
    }
  | {
      ok: true;
      /** An Ethereum transaction, its sender recovered here. */
      eth: EthTx;
      envelope?: undefined;
      hash: `0x${string}`;
      price: bigint;
      nextSequence: bigint;
    }
  | {
      ok: false;
      code: AdmissionErrorCode;
      message: string;
      hash?: `0x${string}`;
    };

/**
 * A transaction the worker could not judge: its reads hit a failure of the chain database
 * (`store`, a `StoreError` as data), or the node has a bug (`message`). The pool rejects with it.
 */
export interface JudgeFailure {
  failed: true;
  message: string;
  store?: StoreErrorData;
}

/** What the worker answers for each transaction of a request. */
export type WorkerAnswer = WorkerVerdict | JudgeFailure;

export interface AdmissionRequest {
  type: "judge";
  id: number;
  raws: Uint8Array[];
  block: BlockContext;
}

/** What the pool sends: transactions to judge, or the modules of newly committed code. */
/** A batch to judge, the modules of newly committed code, or `close`: close the database and end (`endWorker.ts`). */
export type AdmissionMessage =
  | AdmissionRequest
  | { type: "modules"; modules: ModuleList }
  | { type: "close" };

export interface AdmissionSetup {
  dataDir: string;
  /** The main thread's compiled modules of every stored code (`vm/moduleCache.ts`). */
  modules: ModuleList;
  /** Tests only: every read of this worker's database fails so. */
  readFault?: InjectedReadFault;
}

/** The verdict on one raw transaction against `read` (pure: used by the worker and its tests). */
export function judge(
  vm: ReturnType<typeof createVm>,
  read: (key: string) => Uint8Array | undefined,
  block: BlockContext,
  raw: Uint8Array,
  verified: string[] = [],
): WorkerVerdict {
  if (isEthRaw(raw)) return judgeEth(read, block, raw);
  if (raw.length > MAX_TX_BYTES)
    return {
      ok: false,
      code: "TOO_LARGE",
      message: `transaction of ${raw.length} bytes (max ${MAX_TX_BYTES})`,
    };
  let envelope: TxEnvelope;
  try {
    envelope = decodeTx(raw);
  } catch (error) {
    if (error instanceof TxDecodeError)
      return { ok: false, code: "DECODE", message: `${error.code}: ${error.message}` };
    throw error;
  }
  // The raw bytes are the canonical encoding (decodeTx refuses anything else): hash them as they are.
  const hash: `0x${string}` = `0x${toHex(keccak256(raw))}`;
  const check = validateEnvelope(vm, block, new TxState({ read }), envelope, "next-or-later", raw);
  if (!check.ok)
    return {
      ok: false,
      code: check.code === "NONCE" ? "NONCE_TOO_LOW" : "INVALID",
      message: check.reason,
      hash,
    };
  return {
    ok: true,
    envelope,
    hash,
    price: effectivePrice(envelope),
    nextSequence: check.checked.nextSequence,
    verified,
    signingHash: check.checked.hash,
    validateInput: check.checked.validateInput,
  };
}

/** `judgeEthTx`'s verdict as data (its refusals are `AdmissionError`s; anything else is not a verdict). */
function judgeEth(
  read: (key: string) => Uint8Array | undefined,
  block: BlockContext,
  raw: Uint8Array,
): WorkerVerdict {
  try {
    const judged = judgeEthTx({ get: read }, block, raw);
    const { eth, hash } = judged.pending;
    return { ok: true, eth, hash, price: judged.price, nextSequence: judged.nextSequence };
  } catch (error) {
    if (!(error instanceof AdmissionError)) throw error;
    const hash: `0x${string}` = `0x${toHex(keccak256(raw))}`;
    return { ok: false, code: error.code, message: error.message, hash };
  }
}

if (parentPort !== null) {
  const port = parentPort;
  // Account validation runs contracts here: the stack must hold the VM's budget (else VmFault).
  assertThreadStack("an admission worker");
  const setup = workerData as AdmissionSetup;
  // No page walk: the main thread walked the file when it opened it, and it may be committing
  // while this worker starts, so plain reads of its pages here can see a commit half written
  // (a false CORRUPT_FILE: "the main tree records 1 entries, its tree holds 2", CI, admissionClose).
  const db = openChainDb(setup.dataDir, { walk: "none", ...injectedReadFaults(setup.readFault) });
  let verified: string[] = [];
  const vm = createVm({ onSignatureVerified: (digest) => verified.push(digest) });
  vm.cache.adopt(setup.modules);
  const read = (key: string) => db.state.get(key);
  port.postMessage({ type: "ready" });
  port.on("message", (m: AdmissionMessage) => {
    if (m.type === "modules") {
      vm.cache.adopt(m.modules);
      return;
    }
    if (m.type === "close") {
      // After every batch sent before it: with the port and the database closed, the thread ends.
      port.close();
      void db.close();
      return;
    }
    const verdicts = m.raws.map((raw): WorkerAnswer => {
      verified = [];
      try {
        return judge(vm, read, m.block, raw, verified);
      } catch (error) {
        // Not a verdict on the transaction: the worker answers it (and lives on) rather than dying silently.
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        const store = storeErrorIn(error);
        return store === undefined
          ? { failed: true, message }
          : { failed: true, message, store: storeErrorData(store) };
      }
    });
    port.postMessage({ id: m.id, verdicts });
  });
}
