/**
 * What the contract SDK's own work costs a call, in gas (deterministic, so a ceiling is a
 * fair test): writers hand back their buffer instead of a copy, storage maps build their
 * name prefix once, and the router derives each hop's pair once per swap with one keccak;
 * integers are one load or store, storage accesses and events use scratch buffers, copies
 * and fills are bulk memory instructions, and division starts at the quotient's top bit.
 * The ceilings sit between the gas before those changes (commits f7ffcd7 and be831e4, in
 * the test names) and after. The cold price of each contract a transaction runs
 * (`coldCallGas`) is taken out: it is the VM's, not the SDK's; the figures in the names
 * are those of the schedule before cold calls, and the ceilings add what a frame's entry
 * went up by since (`entryRise`: `MEMORY_PAGE` from 4,000 a page, `FRAME_GLOBAL` from the
 * 48 a mutable global the ceilings were set with; `CALL` +5,000 a nested one), and what
 * its writes and divisions went up by (`workRise`: `STORAGE_WRITE` from 40,000, `DIVISION`
 * from 4; a transfer writes 2 keys, the two-hop swap 10 and divides 6 times).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadArtifact } from "../../../src/chain/artifacts.js";
import { keccak256 } from "../../../src/codec/hash.js";
import { coldCallGas } from "../../../src/vm/callContract.js";
import { GAS } from "../../../src/vm/gasSchedule.js";
import { compileContract } from "../../../src/vm/moduleCache.js";
import { account } from "../../helpers/chain.js";
import { type Contract, TestChain } from "../../helpers/contracts.js";

const [lp, trader] = [account(1), account(2)];

/** The cold prices of the contracts (artifact names, one per distinct contract) a transaction runs. */
function coldOf(names: string[]): number {
  return names.reduce((sum, name) => sum + coldCallGas(compileContract(loadArtifact(name).code)), 0);
}
/**
 * What the frames of these contracts (artifact names, one per frame) pay on entry beyond
 * the schedule the ceilings were set with: `MEMORY_PAGE` 4,000 a page, `FRAME_GLOBAL` 48.
 */
function entryRise(frames: string[]): number {
  return frames.reduce((sum, name) => {
    const cached = compileContract(loadArtifact(name).code);
    const globals = cached.globalsGas / GAS.FRAME_GLOBAL;
    return sum + (GAS.MEMORY_PAGE - 4_000) * cached.initialPages + (GAS.FRAME_GLOBAL - 48) * globals;
  }, 0);
}
/** What `writes` storage writes and `divisions` integer divisions pay beyond the schedule the ceilings were set with. */
function workRise(writes: number, divisions: number): number {
  return (GAS.STORAGE_WRITE - 40_000) * writes + (GAS.DIVISION - 4) * divisions;
}
const MAX = (1n << 128n) - 1n;
const DEADLINE = 2_000_000_000n;

function amm() {
  const chain = new TestChain(6);
  // The pair's code must be on chain for the factory to create pairs by its hash.
  chain.deploy("pair", [account(0xa1), account(0xa2)], account(6));
  const factory = chain.deploy("factory", [keccak256(loadArtifact("pair").code)]);
  const router = chain.deploy("router", [factory.address]);
  const tokens = [1, 2, 3].map((i) =>
    chain.deploy("token", [`T${i}`, `T${i}`, 18, 10n ** 30n, lp], lp, new Uint8Array(32).fill(i)),
  ) as [Contract, Contract, Contract];
  for (const t of tokens) {
    chain.runOne(t.tx(lp, "transfer", [trader, 10n ** 26n]));
    for (const who of [lp, trader]) chain.runOne(t.tx(who, "approve", [router.address, MAX]));
  }
  const [a, b, c] = tokens;
  for (const [x, y] of [
    [a, b],
    [b, c],
  ] as const) {
    const added = router.send(
      lp,
      "addLiquidity",
      [x.address, y.address, 10n ** 21n, 10n ** 21n, 0n, 0n, lp, DEADLINE],
      {
        gasLimit: 20_000_000,
      },
    );
    assert.equal(added.receipt.status, "success");
  }
  return { router, a, b, c };
}

describe("contract SDK cost", () => {
  it("a token transfer stays under 150,000 gas + its frame's entry rise (144,351 then; 162,974 with byte loops for integers and copies, and new arrays for every storage key, value and event topic; 176,137 when every key and value was copied)", () => {
    const { a } = amm();
    const out = a.send(trader, "transfer", [lp, 10n ** 18n]);
    assert.equal(out.receipt.status, "success");
    assert.equal(out.value, true);
    const gas = out.receipt.gasUsed - coldOf(["token"]);
    const ceiling = 150_000 + entryRise(["token"]) + workRise(2, 0);
    assert.ok(gas < ceiling, `token transfer used ${gas} gas besides its cold price (ceiling ${ceiling})`);
  });

  it("a two-hop swap through the router derives its pairs once (under 1,150,000 gas + its 12 frames' entry rise and 11 nested calls' 5,000: 1,051,327 then; 1,263,193 with the SDK's byte loops and division bit by bit; 1,537,244 with a pair derived per use)", () => {
    const { router, a, b, c } = amm();
    const path = [a.address, b.address, c.address];
    const quoted = router.view("getAmountsOut", [10n ** 18n, path]) as bigint[];
    const out = router.send(trader, "swapExactTokensForTokens", [10n ** 18n, 0n, path, trader, DEADLINE], {
      gasLimit: 20_000_000,
    });
    assert.equal(out.receipt.status, "success");
    assert.deepEqual(out.value, quoted);
    const gas = out.receipt.gasUsed - coldOf(["router", "pair", "pair", "token", "token", "token"]);
    // The router's frame, 4 of the pairs (2 swaps, 2 reads of their reserves), 7 of the tokens.
    const frames = ["router", ...Array(4).fill("pair"), ...Array(7).fill("token")];
    const ceiling = 1_150_000 + entryRise(frames) + 11 * 5_000 + workRise(10, 6);
    assert.ok(gas < ceiling, `two-hop swap used ${gas} gas besides its cold prices (ceiling ${ceiling})`);
  });
});
