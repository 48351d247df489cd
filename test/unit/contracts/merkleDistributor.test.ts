/**
 * The Merkle airdrop: the SDK's tree (`src/sdk/airdrop.ts`) and the contract
 * (`contracts/src/merkleDistributor`): claims paid once each, every revert path and event,
 * the claim window and the owner's withdrawal after it, (fast-check) what is paid equals
 * what the valid claims are worth over random lists and hostile claim orders, a block of
 * claims in parallel identical to sequential; and the same tree and proofs claimed on
 * Uniswap's published MerkleDistributor bytecode on Weft's EVM.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, it } from "node:test";
import { keccak256 as ethersKeccak, Interface, solidityPackedKeccak256 } from "ethers";
import fc from "fast-check";
import { evmBaseFee } from "../../../src/chain/evmBlock.js";
import type { Receipt } from "../../../src/chain/receipt.js";
import type { Address } from "../../../src/codec/address.js";
import { concatBytes, fromHex, toHex } from "../../../src/codec/bytes.js";
import {
  AirdropError,
  type AirdropTree,
  airdropLeaf,
  buildAirdrop,
  verifyAirdropClaim,
} from "../../../src/sdk/airdrop.js";
import { createMemoryStore } from "../../../src/state/memoryStore.js";
import { account, blockContext, fundedState } from "../../helpers/chain.js";
import { TestChain } from "../../helpers/contracts.js";
import { ethAccount, signEthTx } from "../../helpers/ethAccounts.js";
import { assertSameAsSequential, attachChain, chainEngine } from "../../helpers/parallelChain.js";

const owner = account(1);
const stranger = account(5);
const bytes32 = (h: string) => fromHex(h.slice(2));
const proofOf = (tree: AirdropTree, who: Address) => (tree.claims[who]?.proof ?? []).map(bytes32);
const list = (n: number, base = 100) =>
  Array.from({ length: n }, (_, i) => ({ account: account(100 + i), amount: BigInt(base * (i + 1)) }));

function airdrop(entries: Array<{ account: Address; amount: bigint }>, endTime = 0n, fund?: bigint) {
  const chain = new TestChain(230); // accounts 1-230 can pay gas: the claimants below are 100-223
  const tree = buildAirdrop(entries);
  const token = chain.deploy("token", ["Drop", "DRP", 18, 10n ** 30n, owner]);
  const drop = chain.deploy("merkleDistributor", [token.address, bytes32(tree.merkleRoot), endTime]);
  /** The distributor's own events in a receipt (the token's Transfer is there too). */
  const events = (receipt: Receipt) =>
    drop.events({ ...receipt, events: receipt.events.filter((e) => e.address === drop.address) });
  token.send(owner, "transfer", [drop.address, fund ?? BigInt(tree.tokenTotal)]);
  const claim = (who: Address, from: Address = who, amount?: bigint, proof?: Uint8Array[]) => {
    const c = tree.claims[who];
    return drop.send(from, "claim", [
      BigInt(c?.index ?? 0),
      who,
      amount ?? BigInt(c?.amount ?? 0),
      proof ?? proofOf(tree, who),
    ]);
  };
  return { chain, tree, token, drop, claim, events };
}

describe("airdrop tree (SDK)", () => {
  it("indexes accounts in address order and proves every claim", () => {
    const entries = list(7);
    const tree = buildAirdrop([...entries].reverse());
    assert.equal(tree.tokenTotal, String(100n * (1n + 2n + 3n + 4n + 5n + 6n + 7n)));
    const sorted = entries.map((e) => e.account.toLowerCase()).sort();
    for (const e of entries) {
      const c = tree.claims[e.account.toLowerCase() as Address];
      assert.ok(c !== undefined);
      assert.equal(c.index, sorted.indexOf(e.account.toLowerCase()));
      assert.equal(c.amount, e.amount.toString());
      // 7 leaves: layers of 7, 4, 2 and 1; the seventh is carried up once, so has one sibling fewer.
      assert.ok(c.proof.length === 3 || c.proof.length === 2, `proof of ${c.proof.length}`);
      assert.ok(verifyAirdropClaim(tree.merkleRoot, c.index, e.account, e.amount, c.proof));
      assert.equal(verifyAirdropClaim(tree.merkleRoot, c.index, e.account, e.amount + 1n, c.proof), false);
    }
    // One entry: the root is its leaf, the proof empty.
    const one = buildAirdrop([{ account: owner, amount: 5n }]);
    assert.equal(one.merkleRoot, `0x${toHex(airdropLeaf(0, owner, 5n))}`);
    assert.deepEqual(one.claims[owner]?.proof, []);
  });

  it("hashes a leaf as abi.encodePacked(uint256, address, uint256)", () => {
    const word = (v: bigint) => fromHex(v.toString(16).padStart(64, "0"));
    const packed = concatBytes(word(3n), fromHex(owner.slice(2)), word(10n ** 18n));
    assert.equal(packed.length, 84);
    const leaf = `0x${toHex(airdropLeaf(3, owner, 10n ** 18n))}`;
    assert.equal(leaf, ethersKeccak(packed));
    assert.equal(leaf, solidityPackedKeccak256(["uint256", "address", "uint256"], [3n, owner, 10n ** 18n]));
  });

  it("refuses bad lists with typed errors", () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        assert.ok(error instanceof AirdropError, String(error));
        return error.code;
      }
      return "none";
    };
    assert.equal(
      code(() => buildAirdrop([])),
      "EMPTY",
    );
    assert.equal(
      code(() =>
        buildAirdrop([
          { account: owner, amount: 1n },
          { account: owner.toUpperCase().replace("0X", "0x"), amount: 2n },
        ]),
      ),
      "DUPLICATE",
    );
    assert.equal(
      code(() => buildAirdrop([{ account: owner, amount: 0n }])),
      "BAD_AMOUNT",
    );
    assert.equal(
      code(() => buildAirdrop([{ account: owner, amount: -1n }])),
      "BAD_AMOUNT",
    );
    assert.equal(
      code(() => buildAirdrop([{ account: owner, amount: 1n << 128n }])),
      "BAD_AMOUNT",
    );
    assert.equal(
      code(() => buildAirdrop([{ account: owner, amount: "1.5" }])),
      "BAD_AMOUNT",
    );
    assert.equal(
      code(() => buildAirdrop([{ account: "0x1234", amount: 1n }])),
      "BAD_ADDRESS",
    );
  });
});

describe("merkleDistributor contract", () => {
  it("pays each claim once, to the account, whoever sends it, with Claimed", () => {
    const entries = list(5);
    const { tree, token, drop, claim, events } = airdrop(entries);
    const [a, b] = entries as [{ account: Address; amount: bigint }, { account: Address; amount: bigint }];
    const ia = BigInt(tree.claims[a.account]?.index ?? -1);
    assert.equal(drop.view("isClaimed", [ia]), false);
    const out = claim(a.account);
    assert.equal(out.receipt.status, "success");
    assert.deepEqual(events(out.receipt), [
      { name: "Claimed", args: { index: ia, account: a.account, amount: a.amount } },
    ]);
    assert.equal(token.view("balanceOf", [a.account]), a.amount);
    assert.equal(drop.view("isClaimed", [ia]), true);
    // A stranger may send b's claim: b is paid, the stranger nothing.
    assert.equal(claim(b.account, stranger).receipt.status, "success");
    assert.equal(token.view("balanceOf", [b.account]), b.amount);
    assert.equal(token.view("balanceOf", [stranger]), 0n);
    assert.deepEqual(claim(a.account).error, { name: "AlreadyClaimed", args: { index: ia } });
    assert.equal(token.view("balanceOf", [a.account]), a.amount, "paid once");
    assert.equal(token.view("balanceOf", [drop.address]), BigInt(tree.tokenTotal) - a.amount - b.amount);
    // The progress counters count each paid claim once (the refused repeat is not counted).
    assert.deepEqual([drop.view("claimedCount"), drop.view("claimedAmount")], [2n, a.amount + b.amount]);
    assert.deepEqual(drop.view("merkleRoot"), bytes32(tree.merkleRoot));
    assert.equal(drop.view("token"), token.address);
  });

  it("refuses a wrong amount, account, index or proof, and an overlong proof", () => {
    const entries = list(6);
    const { tree, drop, claim } = airdrop(entries);
    const e = entries[2] as { account: Address; amount: bigint };
    const c = tree.claims[e.account];
    assert.ok(c !== undefined);
    const invalid = (index: bigint, who: Address, amount: bigint) => ({
      name: "InvalidProof",
      args: { index, account: who, amount },
    });
    assert.deepEqual(
      claim(e.account, e.account, e.amount + 1n).error,
      invalid(BigInt(c.index), e.account, e.amount + 1n),
    );
    const other = entries[3]?.account as Address;
    assert.deepEqual(
      drop.send(other, "claim", [BigInt(c.index), other, e.amount, proofOf(tree, e.account)]).error,
      invalid(BigInt(c.index), other, e.amount),
    );
    assert.deepEqual(
      drop.send(e.account, "claim", [BigInt(c.index) + 1n, e.account, e.amount, proofOf(tree, e.account)])
        .error?.name,
      "InvalidProof",
    );
    const flipped = proofOf(tree, e.account);
    const first = flipped[0] as Uint8Array;
    first[5] = (first[5] as number) ^ 1;
    assert.equal(claim(e.account, e.account, e.amount, flipped).error?.name, "InvalidProof");
    assert.equal(claim(e.account, e.account, e.amount, []).error?.name, "InvalidProof");
    const long = Array.from({ length: 65 }, () => new Uint8Array(32));
    assert.deepEqual(claim(e.account, e.account, e.amount, long).error, {
      name: "ProofTooLong",
      args: { length: 65n, max: 64n },
    });
    assert.equal(drop.view("isClaimed", [BigInt(c.index)]), false, "nothing recorded");
    assert.equal(claim(e.account).receipt.status, "success");
  });

  it("an underfunded airdrop reverts the claim whole (TransferFailed), and it can be claimed once funded", () => {
    const entries = list(3);
    const total = 100n + 200n + 300n;
    const { tree, token, drop, claim } = airdrop(entries, 0n, 100n);
    const big = entries[2] as { account: Address; amount: bigint };
    const out = claim(big.account);
    assert.deepEqual(out.error, {
      name: "TransferFailed",
      args: { token: token.address, to: big.account, amount: 300n },
    });
    assert.equal(drop.view("isClaimed", [BigInt(tree.claims[big.account]?.index ?? 0)]), false);
    token.send(owner, "transfer", [drop.address, total - 100n]);
    assert.equal(claim(big.account).receipt.status, "success");
  });

  it("closes claims after the end time; the owner alone withdraws what is left, after it", () => {
    const entries = list(4);
    const chainTime = new TestChain(1).block.time;
    const end = chainTime + 1_000n;
    const { chain, tree, token, drop, claim, events } = airdrop(entries, end);
    const [a, b] = entries as [{ account: Address; amount: bigint }, { account: Address; amount: bigint }];
    assert.equal(drop.view("endTime"), end);
    assert.equal(claim(a.account).receipt.status, "success");
    assert.deepEqual(drop.send(owner, "withdraw").error, {
      name: "ClaimWindowNotFinished",
      args: { endTime: end },
    });
    chain.setBlock({ time: end, height: chain.block.height + 1n });
    assert.equal(claim(b.account).receipt.status, "success", "at the end time exactly, claims are open");
    chain.advance(1n);
    assert.deepEqual(claim((entries[2] as { account: Address }).account).error, {
      name: "ClaimWindowFinished",
      args: { endTime: end },
    });
    assert.deepEqual(drop.send(stranger, "withdraw").error, { name: "NotOwner", args: { caller: stranger } });
    const before = token.view("balanceOf", [owner]) as bigint;
    const left = BigInt(tree.tokenTotal) - a.amount - b.amount;
    const out = drop.send(owner, "withdraw");
    assert.equal(out.value, left);
    assert.deepEqual(events(out.receipt), [{ name: "Withdrawn", args: { to: owner, amount: left } }]);
    assert.equal(token.view("balanceOf", [owner]), before + left);
    assert.equal(token.view("balanceOf", [drop.address]), 0n);
  });

  it("refuses an end time in the past, and withdrawal when there is no end time", () => {
    const chain = new TestChain(1);
    const tree = buildAirdrop(list(2));
    assert.throws(
      () => chain.deploy("merkleDistributor", [owner, bytes32(tree.merkleRoot), chain.block.time]),
      /InvalidEndTime/,
    );
    const { drop } = airdrop(list(2));
    assert.deepEqual(drop.send(owner, "withdraw").error, {
      name: "ClaimWindowNotFinished",
      args: { endTime: 0n },
    });
  });

  it("(fast-check) pays exactly the valid claims, each once, whatever the order and the junk claims", () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 1n, max: 10n ** 24n }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.tuple(fc.nat(11), fc.constantFrom("valid", "again", "more", "other")), { maxLength: 24 }),
        (amounts, actions) => {
          const entries = amounts.map((amount, i) => ({ account: account(200 + i), amount }));
          const { tree, token, drop, claim } = airdrop(entries);
          const paid = new Map<Address, bigint>();
          for (const [pick, kind] of actions) {
            const e = entries[pick % entries.length] as { account: Address; amount: bigint };
            const out =
              kind === "more"
                ? claim(e.account, e.account, e.amount + 1n)
                : kind === "other"
                  ? claim(
                      e.account,
                      e.account,
                      e.amount,
                      proofOf(tree, (entries[(pick + 1) % entries.length] as { account: Address }).account),
                    )
                  : claim(e.account);
            const valid = (kind === "valid" || kind === "again") && !paid.has(e.account);
            const sameProof = kind === "other" && entries.length === 1;
            if (valid || (sameProof && !paid.has(e.account))) {
              assert.equal(out.receipt.status, "success");
              paid.set(e.account, e.amount);
            } else assert.equal(out.receipt.status, "revert");
          }
          let total = 0n;
          for (const e of entries) {
            assert.equal(token.view("balanceOf", [e.account]), paid.get(e.account) ?? 0n);
            total += paid.get(e.account) ?? 0n;
          }
          assert.equal(token.view("balanceOf", [drop.address]), BigInt(tree.tokenTotal) - total);
          assert.deepEqual(
            [drop.view("claimedCount"), drop.view("claimedAmount")],
            [BigInt(paid.size), total],
          );
        },
      ),
      { numRuns: 15, seed: 11 },
    );
  });

  it("a block of claims (with a repeated and a forged one) runs in parallel identical to sequential", async () => {
    const entries = list(24);
    const { chain, tree, drop } = airdrop(entries);
    const claimTx = (who: Address, amount?: bigint) =>
      drop.tx(who, "claim", [
        BigInt(tree.claims[who]?.index ?? 0),
        who,
        amount ?? BigInt(tree.claims[who]?.amount ?? 0),
        proofOf(tree, who),
      ]);
    const txs = entries.map((e) => claimTx(e.account));
    txs.splice(5, 0, claimTx((entries[2] as { account: Address }).account));
    txs.push(claimTx((entries[7] as { account: Address }).account, 1n));
    const engine = await chainEngine(2);
    try {
      const result = await assertSameAsSequential(engine, await attachChain(engine, chain), chain.block, txs);
      const statuses = result.receipts.map((r: Receipt) => r.status);
      assert.equal(statuses.filter((s) => s === "success").length, 24);
      assert.equal(statuses[5], "revert", "the repeated claim");
      assert.equal(statuses.at(-1), "revert", "the forged amount");
    } finally {
      await engine.close();
    }
  });
});

describe("the same tree on Uniswap's MerkleDistributor bytecode (Weft's EVM)", () => {
  it("claims every entry with the SDK's proofs, and refuses a repeat and a forged amount", async () => {
    const load = createRequire(import.meta.url);
    const artifact = (name: string) =>
      load(`@uniswap/merkle-distributor/build/${name}.json`) as { abi: unknown[]; bytecode: string };
    const erc20 = artifact("TestERC20");
    const distributor = artifact("MerkleDistributor");
    const block = blockContext({ baseFee: 1n, height: 30n });
    const fee = evmBaseFee(1n) + 2n;
    const deployer = ethAccount(700);
    const users = Array.from({ length: 8 }, (_, i) => ethAccount(701 + i));
    const entries = users.map((u, i) => ({ account: u.address, amount: 10n ** 18n * BigInt(i + 1) }));
    const tree = buildAirdrop(entries);
    let nonce = 0n;
    const tx = (data: Uint8Array, to?: Address, gasLimit = 3_000_000n) =>
      signEthTx(deployer, { nonce: nonce++, to, data, gasLimit, maxFee: fee }, block.chainId);
    const deployData = (a: { abi: unknown[]; bytecode: string }, args: unknown[]) =>
      concatBytes(
        fromHex(a.bytecode.replace(/^0x/, "")),
        fromHex(new Interface(a.abi as never).encodeDeploy(args).slice(2)),
      );
    const engine = await chainEngine(2);
    try {
      const funded = fundedState([deployer, ...users].map((u) => [u.address, 10n ** 24n]));
      const store = await engine.attach(createMemoryStore(funded.entries));
      const run = async (txs: ReturnType<typeof tx>[]) => {
        const result = await assertSameAsSequential(engine, store, block, txs);
        await store.commit(result.writeSet);
        return result.receipts;
      };
      const [tokenDeployed] = await run([tx(deployData(erc20, ["Drop", "DRP", 10n ** 24n]))]);
      const token = tokenDeployed?.contractAddress as Address;
      assert.ok(
        token !== undefined,
        `token deployment: ${tokenDeployed?.status} ${toHex(tokenDeployed?.output ?? new Uint8Array(0))} ${tokenDeployed?.gasUsed}`,
      );
      const [dropDeployed] = await run([tx(deployData(distributor, [token, tree.merkleRoot]))]);
      const drop = dropDeployed?.contractAddress as Address;
      assert.ok(drop !== undefined, `distributor deployment: ${dropDeployed?.status}`);
      const erc = new Interface(erc20.abi as never);
      const md = new Interface(distributor.abi as never);
      const call = (i: Interface, name: string, args: unknown[]) =>
        fromHex(i.encodeFunctionData(name, args).slice(2));
      const [funding] = await run([tx(call(erc, "transfer", [drop, BigInt(tree.tokenTotal)]), token)]);
      assert.equal(funding?.status, "success");
      const claimData = (who: Address, amount?: bigint) => {
        const c = tree.claims[who.toLowerCase() as Address];
        assert.ok(c !== undefined);
        return call(md, "claim", [c.index, who, amount ?? BigInt(c.amount), c.proof]);
      };
      const receipts = await run([
        ...users.map((u) => tx(claimData(u.address), drop)),
        tx(claimData((users[0] as { address: Address }).address), drop),
        tx(claimData((users[1] as { address: Address }).address, 1n), drop),
      ]);
      const statuses = receipts.map((r) => r.status);
      assert.deepEqual(
        statuses.slice(0, users.length),
        users.map(() => "success"),
      );
      assert.deepEqual(statuses.slice(users.length), ["revert", "revert"]);
      // Each success emitted Claimed(index, account, amount) as Uniswap's contract defines it.
      const claimedTopic = md.getEvent("Claimed")?.topicHash;
      for (const [i, u] of users.entries()) {
        const logs = (receipts[i] as Receipt).events.filter((e) => e.topics[0] === claimedTopic);
        assert.equal(logs.length, 1);
        const log = logs[0] as { topics: string[]; data: Uint8Array };
        const [index, who, amount] = md.decodeEventLog("Claimed", `0x${toHex(log.data)}`, log.topics);
        const c = tree.claims[u.address.toLowerCase() as Address];
        assert.equal(BigInt(index), BigInt(c?.index ?? -1));
        assert.equal(String(who).toLowerCase(), u.address.toLowerCase());
        assert.equal(BigInt(amount), BigInt(c?.amount ?? -1));
      }
    } finally {
      await engine.close();
    }
  });
});
