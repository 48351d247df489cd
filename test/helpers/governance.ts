/**
 * Test helpers for governance: a vote token spread over four holders who delegated to
 * themselves, a governor that created its timelock, and a token the timelock owns (only
 * an executed proposal can mint it). Blocks move 12 seconds at a time.
 */
import { loadArtifact } from "../../src/chain/artifacts.js";
import type { Receipt } from "../../src/chain/receipt.js";
import { encodeAbi } from "../../src/codec/abi.js";
import type { Address } from "../../src/codec/address.js";
import { utf8 } from "../../src/codec/bytes.js";
import { keccak256 } from "../../src/codec/hash.js";
import { account } from "./chain.js";
import { Contract, TestChain } from "./contracts.js";

export const [owner, alice, bob, carol, dave] = [account(1), account(2), account(3), account(4), account(5)];
/** `init`'s timelock argument when the governor creates its own. */
export const NO_TIMELOCK = "0x0000000000000000000000000000000000000000";
export const DELAY = 2n * 24n * 3600n;
export const GRACE = 14n * 24n * 3600n;
export const VOTING_DELAY = 2n;
export const VOTING_PERIOD = 5n;
export const THRESHOLD = 100n;
/** Percent of the past supply. */
export const QUORUM = 20n;

/** A proposal's actions and description, as propose, queue, execute and cancel take them. */
export interface Proposal {
  targets: Address[];
  values: bigint[];
  methods: string[];
  args: Uint8Array[];
  description: string;
}

export function governanceSetup() {
  const chain = new TestChain(40, { height: 100n });
  const token = chain.deploy("votesToken", ["Weft Governance", "WGOV", 18, 1000n, owner]);
  // Deploying a timelock once puts its code on chain, for the governor to create its own from.
  chain.deploy("timelock", [owner, DELAY]);
  const lockArtifact = loadArtifact("timelock");
  const gov = chain.deploy("governor", [
    "Weft Governor",
    token.address,
    NO_TIMELOCK,
    keccak256(lockArtifact.code),
    DELAY,
    VOTING_DELAY,
    VOTING_PERIOD,
    THRESHOLD,
    QUORUM,
  ]);
  const lock = new Contract(chain, gov.view("timelock") as Address, lockArtifact.metadata);
  const target = chain.deploy("token", ["Target", "TGT", 18, 0n, lock.address]);
  for (const [who, amount] of [
    [alice, 300n],
    [bob, 200n],
    [carol, 50n],
  ] as const) {
    chain.runOne(token.tx(owner, "transfer", [who, amount]));
  }
  for (const who of [owner, alice, bob, carol]) chain.runOne(token.tx(who, "delegate", [who]));
  const mine = (blocks = 1n) =>
    chain.setBlock({ height: chain.block.height + blocks, time: chain.block.time + 12n * blocks });
  const at = (time: bigint) => chain.setBlock({ time, height: chain.block.height + 1n });
  mine();
  const mintProposal = (amount = 5n, description = `Mint ${amount} to dave`): Proposal => ({
    targets: [target.address],
    values: [0n],
    methods: ["mint"],
    args: [encodeAbi(["address", "u128"], [dave, amount])],
    description,
  });
  return { chain, token, gov, lock, target, mine, at, mintProposal };
}

export function proposeArgs(p: Proposal): unknown[] {
  return [p.targets, p.values, p.methods, p.args, p.description];
}

/** The arguments of queue, execute and cancel: the actions and keccak256(description). */
export function actionArgs(p: Proposal): unknown[] {
  return [p.targets, p.values, p.methods, p.args, keccak256(utf8(p.description))];
}

/** The receipt's events emitted by `c` alone, decoded. */
export function own(c: Contract, r: Receipt) {
  return c.events({ ...r, events: r.events.filter((e) => e.address === c.address) });
}
