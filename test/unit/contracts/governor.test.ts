/**
 * The governor: a proposal's whole life (propose, vote, queue into its timelock, execute)
 * with every event and the state at each block boundary; defeat short of quorum or
 * without more For than Against; expiry after the timelock's grace period; the
 * proposal threshold at the previous block; cancel by the proposer while pending; the
 * governor's own settings changed only by proposal; every revert path.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { account } from "../../helpers/chain.js";
import {
  actionArgs,
  alice,
  bob,
  carol,
  DELAY,
  dave,
  GRACE,
  governanceSetup,
  NO_TIMELOCK,
  own,
  owner,
  type Proposal,
  proposeArgs,
  QUORUM,
  THRESHOLD,
  VOTING_DELAY,
  VOTING_PERIOD,
} from "../../helpers/governance.js";

const [PENDING, ACTIVE, CANCELED, DEFEATED, SUCCEEDED, QUEUED, EXPIRED, EXECUTED] = [
  0n,
  1n,
  2n,
  3n,
  4n,
  5n,
  6n,
  7n,
];
const bit = (s: bigint) => 1n << s;
const unexpected = (id: unknown, current: bigint, expected: bigint) => ({
  name: "UnexpectedProposalState",
  args: { id, current, expected },
});

describe("governor", () => {
  it("propose, vote, queue and execute through the timelock: every event, the state at each boundary", () => {
    const { chain, gov, lock, target, mine, at, mintProposal } = governanceSetup();
    assert.equal(gov.view("name"), "Weft Governor");
    assert.equal(gov.view("votingDelay"), VOTING_DELAY);
    assert.equal(gov.view("votingPeriod"), VOTING_PERIOD);
    assert.equal(gov.view("proposalThreshold"), THRESHOLD);
    assert.equal(gov.view("quorumNumerator"), QUORUM);
    assert.equal(gov.view("quorumDenominator"), 100n);
    assert.equal(gov.view("COUNTING_MODE"), "support=bravo&quorum=for,abstain");
    assert.equal(gov.view("CLOCK_MODE"), "mode=blocknumber&from=default");
    assert.equal(lock.view("admin"), gov.address);
    assert.equal(lock.view("delay"), DELAY);
    const p = mintProposal();
    const start = chain.block.height;
    const created = gov.send(alice, "propose", proposeArgs(p));
    const id = created.value as Uint8Array;
    assert.deepEqual(gov.view("hashProposal", actionArgs(p)), id);
    const snapshot = start + VOTING_DELAY;
    const deadline = snapshot + VOTING_PERIOD;
    assert.deepEqual(own(gov, created.receipt), [
      {
        name: "ProposalCreated",
        args: { id, proposer: alice, ...p, voteStart: snapshot, voteEnd: deadline },
      },
    ]);
    assert.equal(gov.view("proposalSnapshot", [id]), snapshot);
    assert.equal(gov.view("proposalDeadline", [id]), deadline);
    assert.equal(gov.view("proposalProposer", [id]), alice);
    assert.equal(gov.view("proposalCount"), 1n);
    assert.deepEqual(gov.view("proposalAt", [0]), id);
    assert.deepEqual(gov.send(bob, "propose", proposeArgs(p)).error, unexpected(id, PENDING, 0n));
    assert.equal(gov.view("state", [id]), PENDING);
    assert.deepEqual(gov.send(bob, "castVote", [id, 1]).error, unexpected(id, PENDING, bit(ACTIVE)));
    mine(VOTING_DELAY);
    assert.equal(gov.view("state", [id]), PENDING, "at the snapshot block: still pending");
    mine();
    assert.equal(gov.view("state", [id]), ACTIVE);
    const voted = gov.send(alice, "castVote", [id, 1]);
    assert.equal(voted.value, 300n);
    assert.deepEqual(own(gov, voted.receipt), [
      { name: "VoteCast", args: { voter: alice, id, support: 1n, weight: 300n, reason: "" } },
    ]);
    assert.deepEqual(gov.send(alice, "castVote", [id, 0]).error, {
      name: "AlreadyCastVote",
      args: { voter: alice },
    });
    assert.deepEqual(gov.send(bob, "castVote", [id, 3]).error, {
      name: "InvalidVoteType",
      args: { support: 3n },
    });
    const against = gov.send(bob, "castVoteWithReason", [id, 0, "too generous"]);
    assert.deepEqual(own(gov, against.receipt)[0]?.args, {
      voter: bob,
      id,
      support: 0n,
      weight: 200n,
      reason: "too generous",
    });
    gov.send(carol, "castVote", [id, 2]);
    assert.deepEqual(gov.view("proposalVotes", [id]), [200n, 300n, 50n]);
    assert.equal(gov.view("hasVoted", [id, carol]), true);
    assert.equal(gov.view("hasVoted", [id, owner]), false);
    assert.deepEqual(gov.send(bob, "queue", actionArgs(p)).error, unexpected(id, ACTIVE, bit(SUCCEEDED)));
    mine(VOTING_PERIOD - 1n);
    assert.equal(chain.block.height, deadline);
    assert.equal(gov.view("state", [id]), ACTIVE, "the deadline block still votes");
    mine();
    assert.deepEqual(gov.send(owner, "castVote", [id, 1]).error, unexpected(id, SUCCEEDED, bit(ACTIVE)));
    assert.equal(gov.view("state", [id]), SUCCEEDED, "quorum 200 <= 300 + 50, and 300 for > 200 against");
    assert.deepEqual(gov.send(bob, "execute", actionArgs(p)).error, unexpected(id, SUCCEEDED, bit(QUEUED)));
    const queued = gov.send(bob, "queue", actionArgs(p));
    const eta = chain.block.time + DELAY;
    assert.deepEqual(own(gov, queued.receipt), [{ name: "ProposalQueued", args: { id, eta } }]);
    assert.equal(own(lock, queued.receipt)[0]?.name, "Queued");
    assert.equal(gov.view("proposalEta", [id]), eta);
    assert.equal(gov.view("state", [id]), QUEUED);
    assert.deepEqual(gov.send(bob, "queue", actionArgs(p)).error, unexpected(id, QUEUED, bit(SUCCEEDED)));
    at(eta - 1n);
    assert.equal(gov.send(bob, "execute", actionArgs(p)).error?.name, "NotReady", "the timelock's reason");
    at(eta);
    const done = gov.send(dave, "execute", actionArgs(p));
    assert.deepEqual(own(gov, done.receipt), [{ name: "ProposalExecuted", args: { id } }]);
    assert.equal(own(lock, done.receipt)[0]?.name, "Executed");
    assert.equal(target.view("balanceOf", [dave]), 5n);
    assert.equal(gov.view("state", [id]), EXECUTED);
    assert.deepEqual(gov.send(bob, "execute", actionArgs(p)).error, unexpected(id, EXECUTED, bit(QUEUED)));
  });

  it("is defeated short of quorum or without more For than Against; expires after the grace period", () => {
    const { chain, gov, mine, at, mintProposal } = governanceSetup();
    const ids = [1n, 2n, 3n, 4n].map((n) => {
      const p = mintProposal(n);
      return { p, id: gov.send(alice, "propose", proposeArgs(p)).value as Uint8Array };
    });
    const [short, outvoted, passes, expires] = ids as Array<{ p: Proposal; id: Uint8Array }>;
    mine(VOTING_DELAY + 1n);
    gov.send(carol, "castVote", [short?.id, 1]); // 50 for: short of the quorum of 200
    gov.send(bob, "castVote", [outvoted?.id, 1]); // 200 for
    gov.send(owner, "castVote", [outvoted?.id, 0]); // 450 against
    gov.send(bob, "castVote", [passes?.id, 1]); // 200 for: exactly the quorum
    gov.send(alice, "castVote", [expires?.id, 1]);
    mine(VOTING_PERIOD);
    assert.equal(gov.view("quorum", [chain.block.height - 1n]), 200n);
    assert.equal(gov.view("state", [short?.id]), DEFEATED);
    assert.equal(gov.view("state", [outvoted?.id]), DEFEATED);
    assert.equal(gov.view("state", [passes?.id]), SUCCEEDED);
    assert.deepEqual(
      gov.send(bob, "queue", actionArgs(short?.p as Proposal)).error,
      unexpected(short?.id, DEFEATED, bit(SUCCEEDED)),
    );
    gov.send(bob, "queue", actionArgs(expires?.p as Proposal));
    const eta = chain.block.time + DELAY;
    at(eta + GRACE);
    assert.equal(gov.view("state", [expires?.id]), QUEUED, "the timelock still runs it at eta + grace");
    at(eta + GRACE + 1n);
    assert.equal(gov.view("state", [expires?.id]), EXPIRED);
    assert.deepEqual(
      gov.send(bob, "execute", actionArgs(expires?.p as Proposal)).error,
      unexpected(expires?.id, EXPIRED, bit(QUEUED)),
    );
  });

  it("refuses malformed proposals and proposers below the threshold at the previous block", () => {
    const { chain, token, gov, mintProposal, mine } = governanceSetup();
    const p = mintProposal();
    const bad = (changes: Partial<Proposal>) =>
      gov.send(alice, "propose", proposeArgs({ ...p, ...changes })).error;
    assert.deepEqual(bad({ values: [] }), {
      name: "InvalidProposalLength",
      args: { targets: 1n, values: 0n, methods: 1n, args: 1n },
    });
    assert.deepEqual(bad({ targets: [], values: [], methods: [], args: [] })?.name, "InvalidProposalLength");
    const eleven = <T>(x: T) => Array.from({ length: 11 }, () => x);
    assert.deepEqual(
      bad({
        targets: eleven(p.targets[0] as Address),
        values: eleven(0n),
        methods: eleven("mint"),
        args: eleven(p.args[0] as Uint8Array),
      }),
      { name: "TooManyActions", args: { count: 11n, max: 10n } },
    );
    assert.deepEqual(gov.send(carol, "propose", proposeArgs(p)).error, {
      name: "InsufficientProposerVotes",
      args: { proposer: carol, votes: 50n, threshold: THRESHOLD },
    });
    // Votes received in this very block (a flash loan's, say) do not count until the next one.
    chain.runOne(token.tx(owner, "transfer", [carol, 100n]));
    assert.deepEqual(gov.send(carol, "propose", proposeArgs(p)).error?.args.votes, 50n);
    mine();
    assert.equal(gov.send(carol, "propose", proposeArgs(p)).receipt.status, "success");
    const missing = new Uint8Array(32).fill(7);
    assert.deepEqual(gov.send(bob, "state", [missing]).error, {
      name: "NonexistentProposal",
      args: { id: missing },
    });
    assert.equal(gov.send(bob, "proposalVotes", [missing]).error?.name, "NonexistentProposal");
  });

  it("the proposer alone cancels, and only while the proposal is pending", () => {
    const { gov, mine, mintProposal } = governanceSetup();
    const p = mintProposal();
    const id = gov.send(alice, "propose", proposeArgs(p)).value as Uint8Array;
    assert.deepEqual(gov.send(bob, "cancel", actionArgs(p)).error, {
      name: "OnlyProposer",
      args: { caller: bob },
    });
    const cancelled = gov.send(alice, "cancel", actionArgs(p));
    assert.deepEqual(own(gov, cancelled.receipt), [{ name: "ProposalCanceled", args: { id } }]);
    assert.equal(gov.view("state", [id]), CANCELED);
    assert.deepEqual(gov.send(alice, "cancel", actionArgs(p)).error, unexpected(id, CANCELED, bit(PENDING)));
    mine(VOTING_DELAY + 1n);
    assert.deepEqual(gov.send(alice, "castVote", [id, 1]).error, unexpected(id, CANCELED, bit(ACTIVE)));
    const q = mintProposal(9n);
    const id2 = gov.send(alice, "propose", proposeArgs(q)).value as Uint8Array;
    mine(VOTING_DELAY + 1n);
    assert.deepEqual(gov.send(alice, "cancel", actionArgs(q)).error, unexpected(id2, ACTIVE, bit(PENDING)));
  });

  it("its settings change only by proposal, after the timelock's delay", () => {
    const { chain, gov, lock, mine, at } = governanceSetup();
    const setters = ["setVotingDelay", "setVotingPeriod", "setProposalThreshold", "updateQuorumNumerator"];
    assert.equal(
      gov.meta.methods.some((m) => setters.includes(m.name)),
      false,
      "no method changes them directly",
    );
    const p: Proposal = {
      targets: [gov.address, gov.address, gov.address, gov.address],
      values: [0n, 0n, 0n, 0n],
      methods: ["setVotingDelay", "setVotingPeriod", "setProposalThreshold", "updateQuorumNumerator"],
      args: [
        encodeAbi(["u64"], [1n]),
        encodeAbi(["u64"], [10n]),
        encodeAbi(["u128"], [50n]),
        encodeAbi(["u64"], [10n]),
      ],
      description: "Faster governance",
    };
    const id = gov.send(alice, "propose", proposeArgs(p)).value as Uint8Array;
    mine(VOTING_DELAY + 1n);
    gov.send(alice, "castVote", [id, 1]);
    mine(VOTING_PERIOD);
    const queued = gov.send(bob, "queue", actionArgs(p));
    assert.deepEqual(own(lock, queued.receipt), [], "actions on the governor wait in the governor");
    const eta = chain.block.time + DELAY;
    at(eta - 1n);
    assert.deepEqual(gov.send(bob, "execute", actionArgs(p)).error, {
      name: "NotReady",
      args: { id, eta, now: eta - 1n },
    });
    at(eta);
    const done = gov.send(bob, "execute", actionArgs(p));
    assert.equal(done.receipt.status, "success", JSON.stringify(done.error));
    assert.deepEqual(own(gov, done.receipt), [
      { name: "VotingDelaySet", args: { previous: 2n, next: 1n } },
      { name: "VotingPeriodSet", args: { previous: 5n, next: 10n } },
      { name: "ProposalThresholdSet", args: { previous: 100n, next: 50n } },
      { name: "QuorumNumeratorUpdated", args: { previous: 20n, next: 10n } },
      { name: "ProposalExecuted", args: { id } },
    ]);
    assert.equal(gov.view("votingPeriod"), 10n);
    assert.equal(lock.view("admin"), gov.address);
    // An unknown setting, or a bad value, fails at execution and the proposal stays queued.
    const odd: Proposal = {
      targets: [gov.address],
      values: [0n],
      methods: ["setOwner"],
      args: [new Uint8Array(0)],
      description: "Unknown",
    };
    const oddId = gov.send(alice, "propose", proposeArgs(odd)).value as Uint8Array;
    mine(2n);
    gov.send(alice, "castVote", [oddId, 1]);
    mine(11n);
    gov.send(bob, "queue", actionArgs(odd));
    at(chain.block.time + DELAY);
    assert.deepEqual(gov.send(bob, "execute", actionArgs(odd)).error, {
      name: "UnknownOwnMethod",
      args: { method: "setOwner" },
    });
    assert.equal(gov.view("state", [oddId]), QUEUED);
  });

  it("refuses a zero voting period or a quorum above 100% at deployment", () => {
    const { chain, token } = governanceSetup();
    const code = new Uint8Array(32);
    const deploy = (period: bigint, quorum: bigint) =>
      chain.deploy(
        "governor",
        ["G", token.address, NO_TIMELOCK, code, DELAY, 1n, period, 0n, quorum],
        account(9),
      );
    assert.throws(() => deploy(0n, 4n), /InvalidVotingPeriod/);
    assert.throws(() => deploy(5n, 101n), /InvalidQuorumFraction/);
  });
});
