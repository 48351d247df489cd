/**
 * The client's accounts (every kind's authorisation format, counterfactual creation through
 * the genesis account factory, then transactions from secp256k1, passkey, multisig and
 * session-key accounts), contract bindings by binding, metadata and artifact, and the DeFi
 * reads, against a `weft node` process.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { accountFactory } from "../../../src/bindings/accountFactory.gen.js";
import { lending } from "../../../src/bindings/lending.gen.js";
import { router } from "../../../src/bindings/router.gen.js";
import { staking } from "../../../src/bindings/staking.gen.js";
import { token } from "../../../src/bindings/token.gen.js";
import { verifySecp256k1, verifyWebAuthn } from "../../../src/chain/tx/signatures.js";
import { decodeAbi } from "../../../src/codec/abi.js";
import { blsKeyFromSeed, blsProofOfPossession } from "../../../src/codec/bls.js";
import { verifyEd25519 } from "../../../src/codec/signatures.js";
import { devSigner } from "../../../src/node/genesis/genesis.js";
import {
  type Account,
  type AccountSpec,
  accountCodeHash,
  counterfactualAddress,
  createAccountCall,
  createClient,
  decodeLogs,
  ed25519Account,
  ed25519Key,
  encodeMultisigAuth,
  formatUnits,
  fundAccountCall,
  type GenesisContracts,
  getContract,
  getDelegation,
  getGenesisContracts,
  getLendingHealth,
  getOwedRewards,
  getPairReserves,
  getPendingRewards,
  grantSessionCall,
  type Hex,
  http,
  impermanentLossBetween,
  type LocalAccount,
  multisigAccount,
  multisigInitArgs,
  NATIVE_COIN,
  pairImpermanentLoss,
  parseUnits,
  passkeyAccount,
  passkeyKey,
  quoteExactIn,
  quoteExactOut,
  secp256k1Account,
  secp256k1Key,
  sessionKeyAccount,
  signTransaction,
  TransactionRejectedError,
  type WeftClient,
  withSlippage,
} from "../../../src/sdk/client/index.js";
import { passkeySigner } from "../../../src/sdk/signers.js";
import { codeKey } from "../../../src/state/keys.js";
import { account } from "../../helpers/chain.js";
import { TestChain } from "../../helpers/contracts.js";
import { type NodeProcess, startNodeProcess } from "../../helpers/nodeProcess.js";

const TO = "0x00000000000000000000000000000000000000d2";
const secret = () => new Uint8Array(randomBytes(32));

describe("client accounts (no node)", () => {
  const hash = new Uint8Array(32).fill(7);

  it("authorise in each kind's format", () => {
    const ed = ed25519Account(secret(), TO);
    assert.equal(ed.kind, "ed25519");
    assert.ok(verifyEd25519(ed.publicKey, hash, ed.signAuth(hash)));

    const k1 = secp256k1Account(secret(), TO);
    const sig = k1.signAuth(hash);
    assert.equal(sig.length, 65);
    assert.ok(verifySecp256k1(k1.owner, hash, sig));

    const pk = passkeySigner();
    const auth = passkeyAccount(pk, TO).signAuth(hash) as Uint8Array;
    const [authenticatorData, clientDataJSON, signature] = decodeAbi(
      ["bytes", "bytes", "bytes"],
      auth,
    ) as Uint8Array[];
    assert.equal(signature?.length, 64, "compact r ‖ s");
    assert.ok(verifyWebAuthn(pk.publicKey, hash, { authenticatorData, clientDataJSON, signature } as never));

    const session = sessionKeyAccount(secret(), TO);
    const sessionAuth = session.signAuth(hash);
    assert.equal(sessionAuth.length, 96);
    assert.deepEqual(sessionAuth.subarray(0, 32), session.sessionKey);
    assert.ok(verifyEd25519(session.sessionKey, hash, sessionAuth.subarray(32)));
  });

  it("multisig: count, then increasing indices with ABI bytes; thresholds checked", () => {
    assert.deepEqual(
      encodeMultisigAuth([
        [2, new Uint8Array([9])],
        [0, new Uint8Array([8, 8])],
      ]),
      new Uint8Array([2, 0, 2, 0, 0, 0, 8, 8, 2, 1, 0, 0, 0, 9]),
    );
    const a = ed25519Key(secret());
    const b = ed25519Key(secret());
    const auth = multisigAccount(TO, 2, [{ scheme: "ed25519", key: a.key }, a, b]).signAuth(
      hash,
    ) as Uint8Array;
    assert.deepEqual([auth[0], auth[1]], [2, 1], "two signatures, the first from signer 1");
    assert.throws(() => multisigAccount(TO, 3, [a, b]), /threshold 3/);
    assert.throws(() => multisigAccount(TO, 2, [a, { scheme: "ed25519", key: b.key }]), /1 signers can sign/);
  });

  it("every kind's authorisation is accepted by its account contract (in-process chain)", async () => {
    const chain = new TestChain(4);
    const tk = chain.deploy("token", ["T", "T", 0, 10n ** 12n, account(1)]);
    const k1Secret = secret();
    const k1 = secp256k1Key(k1Secret);
    const pk = passkeySigner();
    const ed = ed25519Key(secret());
    const keys = [ed, k1, passkeyKey(pk)];
    const salt = new Uint8Array(32).fill(3);
    const deploy = (spec: AccountSpec, name: string, args: unknown[]) => {
      const address = chain.deploy(name, args, account(1), salt).address;
      assert.equal(
        counterfactualAddress({ factory: account(1), account: spec, salt }),
        address,
        `${name} address`,
      );
      chain.runOne({
        kind: "transfer",
        from: account(1),
        to: address,
        amount: 10n ** 19n,
        gasLimit: 21_000,
        gasPrice: 1n,
      });
      chain.runOne(tk.tx(account(1), "transfer", [address, 1_000n]));
      return address;
    };
    const k1Address = deploy({ kind: "secp256k1", owner: k1.address }, "secp256k1Account", [k1.address]);
    const pkAddress = deploy({ kind: "passkey", publicKey: pk.publicKey }, "passkeyAccount", [pk.publicKey]);
    const msSpec: AccountSpec = { kind: "multisig", threshold: 2, signers: keys };
    const msAddress = deploy(msSpec, "multisigAccount", multisigInitArgs(2, keys));
    const run = async (a: Account, sequence: bigint) => {
      const { envelope } = await signTransaction(a, {
        chainId: chain.block.chainId,
        sender: a.address,
        nonceKey: 0n,
        nonceSequence: sequence,
        gasLimit: 8_000_000n,
        maxFee: 1n,
        priorityFee: 1n,
        calls: [{ target: tk.address, method: "transfer", args: token.transfer.encode(TO, 1n), value: 0n }],
        auth: new Uint8Array(0),
      });
      return chain.runOne({ kind: "account", envelope });
    };
    const wrongKey = secp256k1Account(secret(), k1Address);
    assert.equal((await run(wrongKey, 0n)).status, "invalid", "another secp256k1 key");
    for (const a of [
      secp256k1Account(k1Secret, k1Address),
      passkeyAccount(pk, pkAddress),
      multisigAccount(msAddress, 2, keys),
    ])
      assert.equal((await run(a, 0n)).status, "success", a.kind);
    assert.equal((await run(multisigAccount(msAddress, 1, keys), 1n)).status, "invalid", "1 of 2");
    // Exactly the threshold: more signatures would let anyone drop one (a second valid form).
    assert.equal((await run(multisigAccount(msAddress, 3, keys), 1n)).status, "invalid", "3 of a 2-of-3");
    assert.equal(tk.view("balanceOf", [TO]), 3n);
  });

  it("units, slippage and impermanent loss", () => {
    assert.equal(parseUnits("1.5"), 1_500_000_000_000_000_000n);
    assert.equal(parseUnits("0.000001", 6), 1n);
    assert.equal(formatUnits(1_500_000_000_000_000_000n), "1.5");
    assert.equal(formatUnits(-2n * 10n ** 18n), "-2");
    assert.throws(() => parseUnits("1.1234567", 6), /decimal places/);
    assert.throws(() => parseUnits("abc"), /not a decimal/);
    assert.equal(withSlippage(10_000n, 50), 9_950n);
    assert.ok(Math.abs(impermanentLossBetween(1000, 2000) + 0.0572) < 0.001);
  });
});

describe("client accounts and contracts (node)", () => {
  let dir: string;
  let node: NodeProcess;
  let client: WeftClient;
  let contracts: GenesisContracts;
  let dev: LocalAccount[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "weft-client-accounts-"));
    node = await startNodeProcess(dir);
    client = createClient({ transport: http(node.url) });
    contracts = await getGenesisContracts(client);
    const { accounts } = await client.genesis();
    dev = accounts.map((a, i) => ed25519Account(devSigner(i).secret, a.address));
  });

  after(async () => {
    await client.close();
    node.child.kill("SIGTERM");
    await node.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it("creates accounts of every kind at counterfactual addresses through the genesis factory and sends from them", async () => {
    const funder = dev[0] as LocalAccount;
    const wusd = getContract({ client, address: contracts.wusd, binding: token });
    const k1Secret = secret();
    const edSecret = secret();
    const k1 = secp256k1Key(k1Secret);
    const pk = passkeySigner();
    const edKey = ed25519Key(edSecret);
    const multisigKeys = [{ scheme: "ed25519" as const, key: edKey.key }, k1, passkeyKey(pk)];
    const factory = contracts.accountFactory;
    const candidates = [
      {
        spec: { factory, account: { kind: "ed25519" as const, publicKey: edKey.publicKey } },
        make: (address: Hex): Account => ed25519Account(edSecret, address),
      },
      {
        spec: { factory, account: { kind: "secp256k1" as const, owner: k1.address } },
        make: (address: Hex): Account => secp256k1Account(k1Secret, address),
      },
      {
        spec: { factory, account: { kind: "passkey" as const, publicKey: pk.publicKey } },
        make: (address: Hex): Account => passkeyAccount(pk, address),
      },
      {
        spec: { factory, account: { kind: "multisig" as const, threshold: 2, signers: multisigKeys } },
        make: (address: Hex): Account => multisigAccount(address, 2, multisigKeys),
      },
    ];
    // The factory creates kinds whose code the chain stores: the dev genesis stores every kind's.
    for (const c of candidates) {
      const code = await client.getProof(codeKey(accountCodeHash(c.spec.account.kind)));
      assert.notEqual(code.value, null, `${c.spec.account.kind}Account code is on chain`);
    }
    const kinds = candidates.map((c) => ({ ...c, address: counterfactualAddress(c.spec) }));
    const receipt = await client.sendAndWait({
      account: funder,
      calls: kinds.flatMap((k) => [
        createAccountCall(k.spec),
        fundAccountCall(k.spec.account.kind, k.address, parseUnits("1")),
        wusd.calls.transfer(k.address, 1_000n),
      ]),
    });
    const created = decodeLogs(receipt.logs, [accountFactory.metadata]).map((e) => e.args.account);
    assert.deepEqual(
      created,
      kinds.map((k) => k.address),
      "created where predicted",
    );

    let sent = 0n;
    for (const k of kinds) {
      const account = k.make(k.address);
      assert.equal(await client.getBalance(account.address), parseUnits("1"), `${account.kind} funded`);
      const r = await wusd.write.transfer(account, [TO, 1n]);
      sent += 1n;
      assert.equal(r.status, "success", account.kind);
      assert.equal(await client.getBalance(account.address), parseUnits("1") - r.fee, `${account.kind} paid`);
    }
    assert.equal(await wusd.read.balanceOf(TO), sent);

    // One signature is not enough for the 2-of-3 multisig account.
    await assert.rejects(
      wusd.write.transfer(multisigAccount(kinds[3]?.address as Hex, 1, multisigKeys), [TO, 1n]),
      (e: unknown) => e instanceof TransactionRejectedError && e.reason === "INVALID",
    );

    // The new ed25519 account grants a session key; the session sends within its limits only.
    const owner = ed25519Account(edSecret, kinds[0]?.address as Hex);
    const sessionSecret = secret();
    await client.sendAndWait({
      account: owner,
      calls: [
        grantSessionCall(owner.address, {
          key: ed25519Key(sessionSecret).publicKey,
          expiry: Math.floor(Date.now() / 1000) + 600,
          allow: [{ target: wusd.address, method: "*" }],
          limits: [
            { token: NATIVE_COIN, amount: parseUnits("0.01") },
            { token: wusd.address, amount: 100n },
          ],
        }),
      ],
    });
    const session = sessionKeyAccount(sessionSecret, owner.address);
    assert.equal((await wusd.write.transfer(session, [TO, 10n])).status, "success");
    assert.equal(await wusd.read.balanceOf(TO), sent + 10n);
    await assert.rejects(
      wusd.write.transfer(session, [TO, 91n]),
      (e: unknown) => e instanceof TransactionRejectedError && e.reason === "INVALID",
    );
  });

  it("binds contracts by generated binding, metadata or artifact name", async () => {
    const typed = getContract({ client, address: contracts.wusd, binding: token });
    const byArtifact = getContract({ client, address: contracts.wusd, artifact: "token" });
    const byMetadata = getContract({ client, address: contracts.weth, metadata: token.metadata });
    const symbol: string = await typed.read.symbol();
    assert.equal(symbol, "WUSD");
    assert.equal(await byArtifact.read.decimals?.(), 18n, "untyped: methods may be undefined");
    assert.equal(await byMetadata.read.symbol?.(), "WETH");
    assert.equal(typed.events.topic("Transfer"), token.metadata.events[0]?.topic0);
    assert.throws(() => typed.events.topic("Nope"), /no event "Nope"/);
    assert.deepEqual(typed.calls.transfer(TO, 1n), {
      target: contracts.wusd,
      method: "transfer",
      args: token.transfer.encode(TO, 1n),
    });
    const receipt = await byArtifact.write.approve?.(dev[1] as LocalAccount, [TO, 5n]);
    assert.equal(byArtifact.events.decode(receipt?.logs[0] as never)?.eventName, "Approval");
    assert.equal(await typed.read.allowance(dev[1]?.address as Hex, TO), 5n);
  });

  it("quotes swaps, reads lending health and staking rewards, measures impermanent loss", async () => {
    const { weth, wusd, factory, pool } = contracts;
    const amm = getContract({ client, address: contracts.router, binding: router });
    const amountIn = parseUnits("2");
    const q = await quoteExactIn(client, { factory, tokenIn: weth, tokenOut: wusd, amountIn });
    assert.equal(q.amountOut, (await amm.read.getAmountsOut(amountIn, [weth, wusd]))[1]);
    assert.ok(q.priceImpact > 0 && q.priceImpact < 0.01, `impact ${q.priceImpact}`);
    const qo = await quoteExactOut(client, {
      factory,
      tokenIn: wusd,
      tokenOut: weth,
      amountOut: parseUnits("1"),
    });
    assert.equal(qo.amountIn, (await amm.read.getAmountsIn(parseUnits("1"), [wusd, weth]))[0]);

    const trader = dev[2] as LocalAccount;
    const before = await getPairReserves(client, pool);
    const wethToken = getContract({ client, address: weth, binding: token });
    await client.sendAndWait({
      account: trader,
      calls: [
        wethToken.calls.approve(amm.address, parseUnits("50")),
        amm.calls.swapExactTokensForTokens(parseUnits("50"), 0n, [weth, wusd], trader.address, 1n << 40n),
      ],
    });
    const loss = await pairImpermanentLoss(client, pool, before);
    assert.ok(loss < 0 && loss > -0.01, `loss ${loss}`);

    const borrower = dev[1] as LocalAccount;
    assert.equal(
      (await getLendingHealth(client, contracts.lending, borrower.address)).healthFactor,
      Infinity,
    );
    const market = getContract({ client, address: contracts.lending, binding: lending });
    await client.sendAndWait({
      account: borrower,
      calls: [
        wethToken.calls.approve(market.address, parseUnits("10")),
        market.calls.supply(weth, parseUnits("10")),
        market.calls.borrow(wusd, parseUnits("5000")),
      ],
    });
    const health = await getLendingHealth(client, contracts.lending, borrower.address);
    assert.equal(health.debt, parseUnits("5000"));
    assert.ok(Math.abs(health.healthFactor - 3) < 0.01, `health ${health.healthFactor}`);
    assert.equal(health.liquidatable, false);

    const validator = dev[3] as LocalAccount;
    const stake = getContract({ client, address: contracts.staking, binding: staking });
    const bls = blsKeyFromSeed(new Uint8Array(32).fill(3));
    const pop = blsProofOfPossession(bls, await client.chainId(), validator.address);
    await stake.write.register(validator, [1_000n, bls.publicKey, pop]);
    await stake.write.delegate(borrower, [validator.address], { value: parseUnits("100") });
    assert.equal(await getPendingRewards(client, contracts.staking, validator.address, borrower.address), 0n);
    await stake.write.depositReward(dev[0] as LocalAccount, [validator.address], { value: parseUnits("10") });
    const d = await getDelegation(client, contracts.staking, validator.address, borrower.address);
    assert.equal(d.stake, parseUnits("100"));
    assert.equal(formatUnits(d.pendingRewards), "9", "10 coin less the 10% commission");
    // Set aside: the operator's commission at once; the delegator's rewards when its delegation changes.
    assert.equal(await getOwedRewards(client, contracts.staking, validator.address), parseUnits("1"));
    assert.equal(await getOwedRewards(client, contracts.staking, borrower.address), 0n);
    await stake.write.delegate(borrower, [validator.address], { value: parseUnits("1") });
    assert.equal(await getOwedRewards(client, contracts.staking, borrower.address), parseUnits("9"));
  });
});
