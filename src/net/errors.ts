/**
 * Errors of the network layer. Each has a code, a short message and details; what a peer
 * sent wrong is a `NetError` the caller can count against that peer (`peerScore.ts`).
 */

/**
 * `KEY_FILE`: the node key file is unreadable, malformed or readable by others;
 * `CONFIG`: an option is out of range; `NOT_STARTED`: the node is stopped;
 * `TOO_LARGE`: a message or frame over its limit; `MALFORMED`: bytes that do not decode;
 * `RATE_LIMITED`: a peer over its request rate; `TIMEOUT`: a peer did not answer in time;
 * `PEER_ERROR`: the peer answered with an error; `UNEXPECTED`: an answer that breaks the
 * protocol (wrong heights, more blocks than asked); `STREAM`: the stream failed;
 * `TRUNCATED`: the stream ended before the message did (a connection dropped, the other side
 * gave up under its own timeout: indistinguishable from a network fault, so not a peer fault);
 * `VERIFY`: a state chunk does not prove against the root.
 */
export type NetErrorCode =
  | "KEY_FILE"
  | "CONFIG"
  | "NOT_STARTED"
  | "TOO_LARGE"
  | "MALFORMED"
  | "RATE_LIMITED"
  | "TIMEOUT"
  | "PEER_ERROR"
  | "UNEXPECTED"
  | "STREAM"
  | "TRUNCATED"
  | "VERIFY";

export class NetError extends Error {
  readonly code: NetErrorCode;
  readonly details: Record<string, unknown>;
  constructor(code: NetErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = "NetError";
    this.code = code;
    this.details = details;
  }
}

/**
 * Codes that mean the peer sent something wrong (its score falls), not that the network failed.
 * `TRUNCATED` is not one: an honest peer's answer is cut short by a dropped connection or its
 * own time limit under load, and banning for that cut validators off from each other (a
 * validator banned two honest peers and the other three stopped committing).
 */
export const PEER_FAULTS: ReadonlySet<NetErrorCode> = new Set([
  "TOO_LARGE",
  "MALFORMED",
  "UNEXPECTED",
  "VERIFY",
]);
