/**
 * Property tests (fast-check) of the rentable NFT against a model, over random sequences
 * of mints, burns, transfers (plain and safe, by owners, approved addresses, operators and
 * strangers), approvals, operators, users and clock moves, some landing on a user's exact
 * expiry second. Each operation's success must be the model's; after the sequence every
 * owner, count, approval, operator, user and expiry must be the model's, and the counts
 * must sum to the number of tokens.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { Address } from "../../../src/codec/address.js";
import { account } from "../../helpers/chain.js";
import { admin, collection, ZERO } from "../../helpers/nft.js";

const PEOPLE = [account(1), account(2), account(3), account(4)];
const IDS = [1n, 2n, 3n, 4n, 5n];

type Op =
  | { kind: "mint"; to: number; id: number }
  | { kind: "burn"; who: number; id: number }
  | { kind: "transfer"; who: number; from: number; to: number; id: number; safe: boolean }
  | { kind: "approve"; who: number; to: number; id: number }
  | { kind: "operator"; who: number; to: number; on: boolean }
  | { kind: "setUser"; who: number; user: number; id: number; seconds: number }
  | { kind: "tick"; seconds: number }
  | { kind: "toExpiry"; id: number; after: number };

const person = fc.nat(3);
/** A person, or -1: the token's current owner (so that most operations can succeed). */
const actor = fc.oneof(fc.constant(-1), person);
const tokenIx = fc.nat(IDS.length - 1);
const op: fc.Arbitrary<Op> = fc.oneof<fc.Arbitrary<Op>[]>(
  fc.record({ kind: fc.constant("mint" as const), to: person, id: tokenIx }),
  fc.record({ kind: fc.constant("burn" as const), who: actor, id: tokenIx }),
  fc.record({
    kind: fc.constant("transfer" as const),
    who: actor,
    from: actor,
    to: fc.nat(4), // 4: the receiver contract
    id: tokenIx,
    safe: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("approve" as const), who: actor, to: person, id: tokenIx }),
  fc.record({ kind: fc.constant("operator" as const), who: person, to: person, on: fc.boolean() }),
  fc.record({
    kind: fc.constant("setUser" as const),
    who: actor,
    user: person,
    id: tokenIx,
    seconds: fc.nat(4),
  }),
  fc.record({ kind: fc.constant("tick" as const), seconds: fc.nat(3) }),
  fc.record({ kind: fc.constant("toExpiry" as const), id: tokenIx, after: fc.nat(1) }),
);

interface Model {
  owner: Map<bigint, Address>;
  approved: Map<bigint, Address>;
  operators: Set<string>;
  users: Map<bigint, { user: Address; expires: bigint }>;
}

describe("rentableNft: model-based properties (fast-check)", () => {
  it("every operation succeeds exactly when the model says, and the state is the model's", () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 20, maxLength: 40 }), (ops) => {
        const { chain, nft } = collection("rentableNft");
        const receiver = chain.deploy("nftReceiver");
        let current: bigint = 0n;
        const who = (i: number): Address =>
          i === -1
            ? (PEOPLE.find((p) => p === m.owner.get(current)) ?? (PEOPLE[0] as Address))
            : i === 4
              ? receiver.address
              : (PEOPLE[i] as Address);
        const m: Model = { owner: new Map(), approved: new Map(), operators: new Set(), users: new Map() };
        const authorized = (spender: Address, id: bigint) => {
          const holder = m.owner.get(id) as Address;
          return (
            spender === holder || m.operators.has(`${holder}|${spender}`) || m.approved.get(id) === spender
          );
        };
        const move = (id: bigint, to: Address | undefined) => {
          const from = m.owner.get(id);
          m.approved.delete(id);
          if (from !== to) m.users.delete(id);
          if (to === undefined) m.owner.delete(id);
          else m.owner.set(id, to);
        };
        for (const o of [...IDS.map((_, i): Op => ({ kind: "mint", to: i % 4, id: i })), ...ops]) {
          if (o.kind === "tick" || o.kind === "toExpiry") {
            const u = o.kind === "toExpiry" ? m.users.get(IDS[o.id] as bigint) : undefined;
            const time =
              o.kind === "tick"
                ? chain.block.time + BigInt(o.seconds)
                : u !== undefined && u.expires + BigInt(o.after) > chain.block.time
                  ? u.expires + BigInt(o.after)
                  : chain.block.time;
            chain.setBlock({ time });
            if (o.kind === "toExpiry" && u !== undefined && time === u.expires + BigInt(o.after)) {
              const tokenId = IDS[o.id] as bigint;
              // At the expiry second the user holds; one second later it is gone.
              assert.equal(nft.view("userOf", [tokenId]), o.after === 0 ? u.user : ZERO);
            }
            continue;
          }
          const id = IDS["id" in o ? o.id : 0] as bigint;
          current = id;
          const exists = m.owner.has(id);
          let expected: boolean;
          let out: ReturnType<typeof nft.send>;
          switch (o.kind) {
            case "mint":
              expected = !exists;
              out = nft.send(admin, "mint", [who(o.to), id, ""]);
              if (expected) move(id, who(o.to));
              break;
            case "burn":
              expected = exists && (authorized(who(o.who), id) || who(o.who) === admin);
              out = nft.send(who(o.who), "burn", [id]);
              if (expected) move(id, undefined);
              break;
            case "transfer": {
              expected = exists && m.owner.get(id) === who(o.from) && authorized(who(o.who), id);
              const method = o.safe ? "safeTransferFrom" : "transferFrom";
              const args = o.safe
                ? [who(o.from), who(o.to), id, new Uint8Array(0)]
                : [who(o.from), who(o.to), id];
              out = nft.send(who(o.who), method, args);
              if (expected) move(id, who(o.to));
              break;
            }
            case "approve": {
              const holder = m.owner.get(id);
              expected = exists && (who(o.who) === holder || m.operators.has(`${holder}|${who(o.who)}`));
              out = nft.send(who(o.who), "approve", [who(o.to), id]);
              if (expected) m.approved.set(id, who(o.to));
              break;
            }
            case "operator":
              expected = true;
              out = nft.send(who(o.who), "setApprovalForAll", [who(o.to), o.on]);
              if (o.on) m.operators.add(`${who(o.who)}|${who(o.to)}`);
              else m.operators.delete(`${who(o.who)}|${who(o.to)}`);
              break;
            case "setUser": {
              expected = exists && authorized(who(o.who), id);
              const expires = chain.block.time + BigInt(o.seconds);
              out = nft.send(who(o.who), "setUser", [id, who(o.user), expires]);
              if (expected) m.users.set(id, { user: who(o.user), expires });
              break;
            }
          }
          assert.equal(
            out.receipt.status,
            expected ? "success" : "revert",
            `${JSON.stringify(o)}: ${out.error?.name}`,
          );
        }
        // The state is the model's.
        const now = chain.block.time;
        let total = 0n;
        for (const p of [0, 1, 2, 3, 4]) total += nft.view("balanceOf", [who(p)]) as bigint;
        assert.equal(total, BigInt(m.owner.size), "the counts sum to the number of tokens");
        for (const id of IDS) {
          const holder = m.owner.get(id);
          if (holder === undefined) {
            assert.equal(nft.send(admin, "ownerOf", [id]).error?.name, "NonexistentToken");
            continue;
          }
          assert.equal(nft.view("ownerOf", [id]), holder);
          assert.equal(
            nft.view("getApproved", [id]),
            m.approved.get(id) ?? ZERO,
            "approvals cleared on transfer",
          );
          const u = m.users.get(id);
          assert.equal(nft.view("userExpires", [id]), u?.expires ?? 0n);
          assert.equal(nft.view("userOf", [id]), u !== undefined && u.expires >= now ? u.user : ZERO);
        }
        for (const a of [0, 1, 2, 3])
          for (const b of [0, 1, 2, 3])
            assert.equal(
              nft.view("isApprovedForAll", [who(a), who(b)]),
              m.operators.has(`${who(a)}|${who(b)}`),
            );
      }),
      { numRuns: 25 },
    );
  });
});
