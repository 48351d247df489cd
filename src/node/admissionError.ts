/** The typed refusal of a transaction at admission (the RPC layer maps codes to JSON-RPC errors). */
import type { MempoolErrorCode } from "./mempool/index.js";

export type AdmissionErrorCode =
  | "DECODE"
  | "ALREADY_INCLUDED"
  | "INVALID"
  | "SENDER_THROTTLED"
  | "SENDER_BANNED"
  | MempoolErrorCode;

export class AdmissionError extends Error {
  constructor(
    readonly code: AdmissionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "AdmissionError";
  }
}
