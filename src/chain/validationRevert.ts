/**
 * What a validation step's revert data says, for the reason of an invalid transaction:
 * the error's name, then its arguments decoded by the standard errors
 * (`STANDARD_ERRORS`, codec/metadata.ts). A session key's refusals
 * (contracts/sdk/sessionKeys.ts) read as sentences naming the check and its figures.
 */
import { decodeAbi } from "../codec/abi.js";
import { toHex } from "../codec/bytes.js";
import { type ContractMetadata, decodeRevert, STANDARD_ERRORS } from "../codec/metadata.js";

/** No contract errors: only the standard ones are known. */
const NO_METADATA: ContractMetadata = {
  name: "",
  abiVersion: 1,
  constructor: null,
  methods: [],
  events: [],
  errors: [],
};

const ZERO_ADDRESS = `0x${"0".repeat(40)}`;

function token(address: unknown): string {
  return address === ZERO_ADDRESS ? "the native coin" : `token ${String(address)}`;
}

function hex(value: unknown): string {
  return value instanceof Uint8Array ? `0x${toHex(value)}` : String(value);
}

/** A session error's sentence, or undefined for another error. */
function sessionSentence(name: string, a: Record<string, unknown>): string | undefined {
  switch (name) {
    case "SessionLimitExceeded":
      return `session key over its limit: spent ${a.spent} + ${a.amount} > limit ${a.limit} of ${token(a.token)}`;
    case "SessionNoLimit":
      return `session key has no spending limit for ${token(a.token)} (spends ${a.amount})`;
    case "SessionCallNotAllowed":
      return a.method === ""
        ? `session key may not send coin to ${String(a.target)}`
        : `session key may not call ${JSON.stringify(a.method)} on ${String(a.target)}`;
    case "SessionUnknown":
      return `session key ${hex(a.key)} is not granted by this account (never granted, or revoked)`;
    case "SessionBadSignature":
      return `session key ${hex(a.key)}: its signature of the transaction does not verify`;
    default:
      return undefined;
  }
}

/** ": message" when an unknown error's arguments are one string (a contract's own error), else "". */
function messageOf(raw: unknown): string {
  if (!(raw instanceof Uint8Array)) return "";
  try {
    const [message] = decodeAbi(["string"], raw) as [string];
    return `: ${message}`;
  } catch {
    return "";
  }
}

/**
 * ": Name" and what its arguments say (": message" for errors with one string argument,
 * ": <sentence>" for a session's, else "(name=value, ...)"), or "" for empty or nameless data.
 */
export function validationRevertReason(data: Uint8Array): string {
  if (data.length === 0) return "";
  let decoded: { name: string; args: Record<string, unknown> };
  try {
    decoded = decodeRevert(NO_METADATA, data);
  } catch {
    return "";
  }
  const { name, args } = decoded;
  if (name === "") return "";
  const known = STANDARD_ERRORS.find((e) => e.name === name);
  if (known === undefined) return `: ${name}${messageOf(args.raw)}`;
  const sentence = sessionSentence(name, args);
  if (sentence !== undefined) return `: ${name}: ${sentence}`;
  const inputs = known.inputs;
  if (inputs.length === 0) return `: ${name}`;
  if (inputs.length === 1 && inputs[0]?.type === "string")
    return `: ${name}: ${String(args[inputs[0].name])}`;
  return `: ${name}(${inputs.map((p) => `${p.name}=${hex(args[p.name])}`).join(", ")})`;
}
