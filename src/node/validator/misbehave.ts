/**
 * Byzantine behaviour on purpose, for the end-to-end suite only (as CometBFT's e2e nodes have
 * "misbehaviors"): `weft node` started with the environment variable
 * `WEFT_TEST_MISBEHAVE=equivocate` is a validator that, beside every proposal and vote it
 * signs, signs and sends a conflicting one, around its double-sign guard:
 *   - a second proposal for the same height and round with another valid block (the same
 *     transactions with another fee recipient, so honest validators accept either);
 *   - a second vote of the same height, round and type for another value (its other proposal's
 *     block, nil, or a value nobody proposed).
 * Honest validators must stay safe (one block per height: the byzantine power is under a
 * third) and see duplicate votes as evidence, which gets the validator slashed and
 * tombstoned. Never set this on a real validator.
 */
import type { SecretKey } from "@chainsafe/blst";
import type { Address } from "../../codec/address.js";
import { sign } from "../../consensus/bls.js";
import type { ConsensusTransport } from "../../consensus/interfaces.js";
import { decodeMessage, encodeProposal, encodeVote } from "../../consensus/messageCodec.js";
import { proposalSigningBytes, voteSigningBytes } from "../../consensus/signingBytes.js";
import type { Proposal, Value, Vote } from "../../consensus/types.js";
import type { ChainNode } from "../chainNode.js";
import { ChainApplication, type ChainApplicationOptions } from "./chainApplication.js";

export const MISBEHAVE_ENV = "WEFT_TEST_MISBEHAVE";

export type Misbehaviour = "equivocate";

/** The misbehaviour named by `value` (the env variable), or undefined; anything else is refused. */
export function parseMisbehaviour(value: string | undefined): Misbehaviour | undefined {
  if (value === undefined || value === "") return undefined;
  if (value === "equivocate") return value;
  throw new Error(`${MISBEHAVE_ENV}=${value}: the only test misbehaviour is "equivocate"`);
}

export interface EquivocationOptions {
  chainId: string;
  secretKey: SecretKey;
  /** Whether validator `index` of `height`'s set is this one (the driver also forwards others' votes). */
  isSelf(height: number, index: number): boolean;
  /** Another valid block for a height and round this validator proposes at. */
  otherValue(height: number, round: number): Promise<Value>;
  maxValueBytes: number;
}

/** The fee recipient of the byzantine validator's second blocks. */
const OTHER_FEE_RECIPIENT = "0x00000000000000000000000000000000000000ee" as Address;

/** `transport` as `kind` misbehaves with it (unchanged when `kind` is undefined). */
export function misbehavingTransport(
  kind: Misbehaviour | undefined,
  transport: ConsensusTransport,
  ctx: {
    node: ChainNode;
    /** The validator's key; a full node (none) cannot misbehave. */
    key: { publicKey: Uint8Array; secretKey: SecretKey } | undefined;
    validators: ChainApplicationOptions["validators"];
    maxValueBytes: number;
  },
): ConsensusTransport {
  if (kind === undefined) return transport;
  if (ctx.key === undefined)
    throw new Error(`${MISBEHAVE_ENV}=${kind} needs a validator key: a full node signs nothing`);
  const { publicKey, secretKey } = ctx.key;
  const other = new ChainApplication(ctx.node, {
    publicKey,
    validators: ctx.validators,
    feeRecipient: OTHER_FEE_RECIPIENT,
  });
  const self = (height: number) => ctx.validators.validatorSetAt(height).set.indexOf(publicKey);
  return equivocatingTransport(transport, {
    chainId: ctx.node.options.chainId.toString(),
    secretKey,
    isSelf: (height, index) => self(height) === index,
    otherValue: (height) => other.proposeValue(height),
    maxValueBytes: ctx.maxValueBytes,
  });
}

/** `transport` with a conflicting twin sent after each of this validator's own proposals and votes. */
export function equivocatingTransport(
  transport: ConsensusTransport,
  options: EquivocationOptions,
): ConsensusTransport {
  /** The second proposal's value at a height, for the twin votes. */
  const others = new Map<number, Uint8Array>();
  const twinVote = (vote: Vote): Uint8Array => {
    const other = others.get(vote.height);
    const valueHash =
      vote.valueHash === null
        ? (other ?? new Uint8Array(32).fill(0xee))
        : other !== undefined && !same(other, vote.valueHash)
          ? other
          : null;
    const unsigned = { ...vote, valueHash };
    return encodeVote({
      ...unsigned,
      signature: sign(options.secretKey, voteSigningBytes(options.chainId, unsigned)),
    });
  };
  const twinProposal = async (proposal: Proposal): Promise<void> => {
    const value = await options.otherValue(proposal.height, proposal.round);
    if (same(value.hash, proposal.value.hash)) return;
    others.set(proposal.height, value.hash);
    for (const h of others.keys()) if (h < proposal.height - 2) others.delete(h);
    const unsigned = { ...proposal, value };
    transport.broadcast(
      encodeProposal({
        ...unsigned,
        signature: sign(options.secretKey, proposalSigningBytes(options.chainId, unsigned)),
      }),
    );
  };
  return {
    onMessage: (handler) => transport.onMessage(handler),
    broadcast(bytes) {
      transport.broadcast(bytes);
      let message: ReturnType<typeof decodeMessage>;
      try {
        message = decodeMessage(bytes, { maxValueBytes: options.maxValueBytes });
      } catch {
        return; // a bundle (a rebroadcast) or a decision: not a fresh signature
      }
      if (message.kind === "vote") {
        if (options.isSelf(message.vote.height, message.vote.validator))
          transport.broadcast(twinVote(message.vote));
      } else if (options.isSelf(message.proposal.height, message.proposal.proposer)) {
        void twinProposal(message.proposal).catch(() => undefined);
      }
    },
  };
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
