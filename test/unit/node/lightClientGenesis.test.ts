/**
 * The light client's genesis set (`sdk/client/lightClient.ts` `genesisValidators`) is the set
 * the staking contract computes at genesis: same members in the same order, same powers and
 * keys (so the same set hash), for unequal stakes and an active size below the validators'.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { genesisToJson } from "../../../src/chain/genesisFile.js";
import type { Address } from "../../../src/codec/address.js";
import { toHex } from "../../../src/codec/bytes.js";
import { stakingValidatorSource } from "../../../src/node/stakingConsensus.js";
import { genesisValidators } from "../../../src/sdk/client/lightClient.js";
import { CHAIN_ID, E18, networkSpec, openTestNode } from "../../helpers/validatorHosts.js";

describe("light client: the genesis set", () => {
  it("is the staking contract's set of epoch 0", async () => {
    const base = networkSpec(5, { activeSize: 4 });
    const stakes = [700n, 1_300n, 700n, 2_000n, 1n];
    const spec = {
      ...base,
      validators: base.validators.map((v, i) => ({ ...v, stake: (stakes[i] as bigint) * E18 + 3n })),
    };
    const dir = mkdtempSync(join(tmpdir(), "weft-lc-genesis-"));
    try {
      const node = await openTestNode(dir, { network: spec });
      try {
        const staking = node.genesis.network?.staking as Address;
        const chain = stakingValidatorSource((k) => node.state.get(k), staking).validatorSetAt(1).set;
        const mine = genesisValidators(genesisToJson({ chainId: CHAIN_ID, genesisTime: 0, network: spec }));
        assert.equal(mine.set.size, 4);
        assert.deepEqual(
          mine.set.validators.map((v) => v.votingPower),
          chain.validators.map((v) => v.votingPower),
        );
        assert.equal(toHex(mine.set.hash), toHex(chain.hash));
      } finally {
        await node.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
