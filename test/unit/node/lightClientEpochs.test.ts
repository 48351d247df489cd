/**
 * The light client past epoch 0: 4 validators over libp2p with 5-block epochs, a delegation
 * that changes the set's powers from epoch 1. Against one validator's JSON-RPC:
 *   - `weft_getEpochLinks` answers the links it recorded, and refuses bad or out-of-range params;
 *   - `getCertifiedValue` with the genesis set proves a balance at a head past epoch 3, having
 *     followed the set by the node's links (before: refused EPOCH);
 *   - every forged way is refused with its typed error (a missing link, a gap, records that do
 *     not prove the set, a certificate short of power or by strangers, a wrong staking
 *     contract, a checkpoint that is not the block);
 *   - a checkpoint block is an alternative trust root;
 *   - `weft proof <addr> --genesis <file>` (and `--checkpoint`) as a child process.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { genesisToJson } from "../../../src/chain/genesisFile.js";
import { networkStakingAddress } from "../../../src/chain/staking/genesisStaking.js";
import { encodeAbi } from "../../../src/codec/abi.js";
import type { Address } from "../../../src/codec/address.js";
import { fromHex, leToUint } from "../../../src/codec/bytes.js";
import { buildCertificate } from "../../../src/consensus/certificate.js";
import { VoteType } from "../../../src/consensus/types.js";
import { decodeEpochLink, encodeEpochLink } from "../../../src/lightclient/epochLink.js";
import { nodeMethods } from "../../../src/node/api/index.js";
import type { ChainNode } from "../../../src/node/chainNode.js";
import { devAccountAddress } from "../../../src/node/genesis/genesis.js";
import { createClient, http, type WeftClient } from "../../../src/sdk/client/index.js";
import {
  advanceTrustedSet,
  type EpochLinkItem,
  genesisValidators,
  getCertifiedValue,
  LightClientError,
  type TrustedValidators,
  trustCheckpoint,
  verifyCertifiedHeader,
} from "../../../src/sdk/client/lightClient.js";
import { balanceKey } from "../../../src/state/keys.js";
import { signedVote, testKeys } from "../../helpers/consensusKeys.js";
import { callsRaw } from "../../helpers/nodeTx.js";
import { waitFor } from "../../helpers/p2p.js";
import { call, start } from "../../helpers/rpcServer.js";
import {
  CHAIN_ID,
  consensusPositions,
  E18,
  networkSpec,
  startValidatorHosts,
  type ValidatorHosts,
} from "../../helpers/validatorHosts.js";
import { runWeft } from "../../helpers/weftCli.js";

const EPOCH = 5;
const spec = networkSpec(4, { epochLength: BigInt(EPOCH) });
const genesisJson = genesisToJson({ chainId: CHAIN_ID, genesisTime: 0, network: spec });
const PAST = 3 * EPOCH + 2;

async function refused(f: () => unknown, code: string, linkCode?: string): Promise<LightClientError> {
  try {
    await f();
  } catch (e) {
    assert.ok(e instanceof LightClientError, `untyped: ${e}`);
    assert.equal(e.code, code, String(e));
    if (linkCode !== undefined) assert.equal(e.linkCode, linkCode, String(e));
    return e;
  }
  assert.fail(`no error, ${code} expected`);
}

describe("light client past epoch 0", () => {
  let root: string;
  let net: ValidatorHosts;
  let v0: ChainNode;
  let url: string;
  let client: WeftClient;
  let genesis: TrustedValidators;
  let links: EpochLinkItem[];

  before(async () => {
    root = mkdtempSync(join(tmpdir(), "weft-lc-epochs-"));
    net = await startValidatorHosts(root, spec, { validator: { blockIntervalMs: 50, syncIntervalMs: 300 } });
    v0 = net.nodes[0] as ChainNode;
    const staking = v0.genesis.network?.staking as Address;
    // Dev account 1 delegates 2,000 coin to validator 0: from epoch 1 the powers differ from genesis.
    await v0.submitAsync(
      callsRaw(
        { chainId: CHAIN_ID, sender: devAccountAddress(1), devIndex: 1, sequence: 0n, gasLimit: 5_000_000n },
        [
          {
            target: staking,
            method: "delegate",
            args: encodeAbi(["address"], [devAccountAddress(0)]),
            value: 2_000n * E18,
          },
        ],
      ),
    );
    await waitFor(
      `the validators past ${PAST}`,
      () => net.nodes.every((n) => n.head().number >= PAST),
      150_000,
    ).catch((e: Error) => {
      throw new Error(
        `${e.message}: heads ${net.nodes.map((n) => n.head().number)}, ${consensusPositions(net.services)}`,
      );
    });
    const rpc = await start({ methods: nodeMethods(v0) });
    url = `http://127.0.0.1:${rpc.addr.port}`;
    client = createClient({ transport: http(url) });
    genesis = genesisValidators(JSON.stringify(genesisJson));
    const answer = (await call(url, "weft_getEpochLinks", [1, 3])).result as { links: EpochLinkItem[] };
    links = answer.links;
  });
  after(async () => {
    await client?.close();
    await net?.close();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  it("derives the staking contract the genesis deployed", () => {
    assert.equal(genesis.staking, v0.genesis.network?.staking);
    assert.equal(networkStakingAddress(spec.unbondingSeconds), v0.genesis.network?.staking);
  });

  it("weft_getEpochLinks answers the recorded links and refuses bad or out-of-range params", async () => {
    const ok = await call(url, "weft_getEpochLinks", [1, 2]);
    const result = ok.result as {
      epochLength: number;
      newestEpoch: number;
      links: Array<{ epoch: number; height: number; link: string }>;
    };
    assert.equal(result.epochLength, EPOCH);
    assert.ok(result.newestEpoch >= 3, `newest epoch ${result.newestEpoch}`);
    assert.deepEqual(
      result.links.map((l) => [l.epoch, l.height]),
      [
        [1, 5],
        [2, 10],
      ],
    );
    const one = decodeEpochLink(fromHex((result.links[0] as { link: string }).link));
    assert.equal(one.header.hash, v0.db.block(EPOCH)?.header.hash, "link 1 is block 5");
    // count defaults to 64, bounded by the newest epoch
    const all = (await call(url, "weft_getEpochLinks", [1])).result as { links: unknown[] };
    assert.equal(all.links.length, result.newestEpoch);
    for (const [params, message] of [
      [[1, 65], /count must be a whole number from 1 to 64/],
      [[1, 0], /count must be/],
      [[0, 1], /first epoch must be a whole number from 1/],
      [["1", 1], /first epoch must be/],
      [[1.5], /first epoch must be/],
      [[1_000_000, 1], /past the head/],
      [[], /./],
      [[1, 2, 3], /./],
    ] as Array<[unknown[], RegExp]>) {
      const r = await call(url, "weft_getEpochLinks", params);
      assert.equal(r.error?.code, -32602, `${JSON.stringify(params)}: ${JSON.stringify(r)}`);
      assert.match(r.error?.message ?? "", message);
    }
  });

  it("proves a balance at a head past epoch 3 from the genesis set, following the links", async () => {
    const head = v0.head().number;
    const got = await getCertifiedValue(client, balanceKey(devAccountAddress(2)), genesis);
    assert.ok(got.blockNumber >= head, `block ${got.blockNumber}`);
    const epoch = Math.floor((got.blockNumber - 1) / EPOCH);
    assert.ok(epoch >= 3);
    assert.deepEqual(got.signedBy, { epoch, reached: { from: "genesis", links: epoch } });
    assert.equal(got.trusted.epoch, epoch);
    const stored = v0.db.state.get(balanceKey(devAccountAddress(2)));
    assert.ok(got.value !== undefined && stored !== undefined);
    assert.ok(leToUint(got.value) > 0n);
    // The set followed is the chain's: powers moved by the delegation.
    assert.notDeepEqual(
      got.trusted.set.validators.map((v) => v.votingPower),
      genesis.set.validators.map((v) => v.votingPower),
    );
    // Passing the set back in starts from it: no link is fetched again (none is needed).
    const again = await getCertifiedValue(client, balanceKey(devAccountAddress(2)), got.trusted);
    assert.ok((again.signedBy?.reached.links ?? 0) >= epoch);
  });

  it("refuses a header of a later epoch against the genesis set, and takes it against the followed set", async () => {
    const h = 3 * EPOCH + 1;
    const block = await client.getBlock({ number: h });
    assert.ok(block);
    const cert = await client.request<Parameters<typeof verifyCertifiedHeader>[1]>(
      "weft_getBlockCertificate",
      [h],
    );
    await refused(() => verifyCertifiedHeader(block, cert, genesis), "EPOCH");
    const three = advanceTrustedSet(genesis, links, 3);
    assert.equal(three.epoch, 3);
    assert.deepEqual(three.reached, { from: "genesis", links: 3 });
    const ok = verifyCertifiedHeader(block, cert, three);
    assert.ok(ok.signedPower * 3n > ok.totalPower * 2n, `${ok.signedPower} of ${ok.totalPower}`);
  });

  it("refuses every forged or incomplete way, each with its typed error", async () => {
    const [l1, l2, l3] = links.map((l) => ({
      epoch: l.epoch,
      link: decodeEpochLink(fromHex(l.link as string)),
    })) as [
      { epoch: number; link: ReturnType<typeof decodeEpochLink> },
      { epoch: number; link: ReturnType<typeof decodeEpochLink> },
      { epoch: number; link: ReturnType<typeof decodeEpochLink> },
    ];
    // A missing link: asked to reach epoch 3 with links 1 and 2 only.
    await refused(() => advanceTrustedSet(genesis, [l1, l2], 3), "NO_LINK");
    // A gap: link 3 where link 2 is due.
    await refused(() => advanceTrustedSet(genesis, [l1, l3], 3), "LINK_GAP");
    // The set does not match the proofs: a proven record's value changed.
    const flipped = decodeEpochLink(encodeEpochLink(l1.link));
    const record = flipped.records.find((r) => r.value !== undefined && r.value.length > 0);
    const value = record?.value as Uint8Array;
    value[value.length - 1] = (value[value.length - 1] as number) ^ 1;
    await refused(() => advanceTrustedSet(genesis, [{ epoch: 1, link: flipped }]), "LINK", "PROOF");
    // A record of the set left out: the set cannot be read from proven records alone.
    await refused(
      () =>
        advanceTrustedSet(genesis, [{ epoch: 1, link: { ...l1.link, records: l1.link.records.slice(1) } }]),
      "LINK",
      "MISSING",
    );
    // An under-powered certificate: one signer's bit of the real one kept.
    const signers = new Uint8Array(l2.link.certificate.signers.length);
    signers[0] = 1;
    await refused(
      () =>
        advanceTrustedSet(genesis, [
          l1,
          { epoch: 2, link: { ...l2.link, certificate: { ...l2.link.certificate, signers } } },
        ]),
      "LINK",
      "CERTIFICATE",
    );
    // A certificate by keys that are no validator's.
    const strangers = testKeys(4, "not validators");
    const forged = buildCertificate(
      [0, 1, 2, 3].map((validator) =>
        signedVote(
          strangers,
          {
            type: VoteType.Precommit,
            height: 2 * EPOCH,
            round: 0,
            valueHash: fromHex(l2.link.header.hash),
            validator,
          },
          CHAIN_ID.toString(),
        ),
      ),
      4,
    );
    await refused(
      () => advanceTrustedSet(genesis, [l1, { epoch: 2, link: { ...l2.link, certificate: forged } }]),
      "LINK",
      "CERTIFICATE",
    );
    // Link 2 checked by the genesis set instead of epoch 1's (a link skipped, relabelled).
    await refused(() => advanceTrustedSet(genesis, [{ epoch: 1, link: l2.link }]), "LINK", "HEIGHT");
    // Another staking contract named (as a lying node would): its records are not in the link.
    await refused(
      () => advanceTrustedSet({ ...genesis, staking: `0x${"5a".repeat(20)}` as Address }, [l1]),
      "LINK",
      "MISSING",
    );
    // Garbage bytes.
    await refused(() => advanceTrustedSet(genesis, [{ epoch: 1, link: "0x0102" }]), "LINK", "MALFORMED");
    // Backwards.
    await refused(() => advanceTrustedSet(advanceTrustedSet(genesis, [l1, l2]), [l1], 1), "EPOCH");
  });

  it("takes a checkpoint block as the trust root, and refuses one that is not the block", async () => {
    const at = 2 * EPOCH;
    const hash = v0.db.block(at)?.header.hash as string;
    const l2 = links[1] as EpochLinkItem;
    const two = trustCheckpoint(genesis, { height: at, hash }, l2);
    assert.equal(two.epoch, 2);
    assert.deepEqual(two.reached, { from: "checkpoint", links: 0, checkpoint: { height: at, hash } });
    assert.deepEqual(
      two.set.validators.map((v) => v.votingPower),
      advanceTrustedSet(genesis, links, 2).set.validators.map((v) => v.votingPower),
    );
    const three = advanceTrustedSet(two, links, 3);
    assert.deepEqual(three.reached, { from: "checkpoint", links: 1, checkpoint: { height: at, hash } });
    const wrong = v0.db.block(at - 1)?.header.hash as string;
    const wrongHash = await refused(
      () => trustCheckpoint(genesis, { height: at, hash: wrong }, l2),
      "CHECKPOINT",
    );
    assert.match(wrongHash.message, /^CHECKPOINT: (?!CHECKPOINT)/, "the code once, then the reason");
    await refused(() => trustCheckpoint(genesis, { height: at + 1, hash }, l2), "CHECKPOINT");
    await refused(
      () => trustCheckpoint(genesis, { height: at, hash }, links[0] as EpochLinkItem),
      "LINK_GAP",
    );
  });

  it("weft proof --genesis follows the links; --checkpoint starts from the block", async () => {
    const file = join(root, "genesis.json");
    writeFileSync(file, JSON.stringify(genesisJson));
    const target = devAccountAddress(2);
    const human = await runWeft(["--rpc", url, "proof", target, "--genesis", file]);
    assert.equal(human.code, 0, human.err);
    assert.match(
      human.out,
      /certificate\s+\d of 4 validators, power \d+ of \d+, verified against epoch (\d+)'s set, followed \1 epoch links from genesis/,
    );
    const json = await runWeft(["--rpc", url, "--json", "proof", target, "--genesis", file]);
    assert.equal(json.code, 0, json.err);
    const out = JSON.parse(json.out) as {
      certificate: { epoch: number; trust: { from: string; links: number } };
    };
    assert.equal(out.certificate.trust.from, "genesis");
    assert.equal(out.certificate.trust.links, out.certificate.epoch);
    const at = 2 * EPOCH;
    const hash = v0.db.block(at)?.header.hash as string;
    const cp = await runWeft([
      "--rpc",
      url,
      "proof",
      target,
      "--genesis",
      file,
      "--checkpoint",
      `${at}:${hash}`,
    ]);
    assert.equal(cp.code, 0, cp.err);
    assert.match(
      cp.out,
      new RegExp(`followed \\d+ epoch links? from the checkpoint block ${at} \\(${hash}\\)`),
    );
    const wrong = v0.db.block(at - 1)?.header.hash as string;
    const bad = await runWeft([
      "--rpc",
      url,
      "proof",
      target,
      "--genesis",
      file,
      "--checkpoint",
      `${at}:${wrong}`,
    ]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.err, /CHECKPOINT/);
    const usage = await runWeft(["--rpc", url, "proof", target, "--checkpoint", `${at}:${hash}`]);
    assert.equal(usage.code, 2, usage.err);
  });
});
