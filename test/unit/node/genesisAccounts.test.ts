/**
 * Genesis accounts (`weft genesis new --account`) and alloc files (`--alloc-file`): block 0
 * creates the very account `weft account create` would make for a key, at the address the
 * genesis file records; malformed, duplicate and published keys, and bad alloc lines, are
 * refused by name with nothing written.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { pino } from "pino";
import {
  type GenesisAccountKey,
  genesisAccountAddress,
  genesisAccountFactoryAddress,
} from "../../../src/chain/genesisAccounts.js";
import {
  GenesisFileError,
  genesisToJson,
  parseGenesis,
  readGenesisFile,
} from "../../../src/chain/genesisFile.js";
import { toHex } from "../../../src/codec/bytes.js";
import { decodeU128 } from "../../../src/engine/deltas.js";
import { loadConfig } from "../../../src/node/config.js";
import { buildGenesis } from "../../../src/node/genesis/genesis.js";
import { startNode } from "../../../src/node/server.js";
import { counterfactualAddress, ed25519Key } from "../../../src/sdk/client/index.js";
import { devSigner } from "../../../src/sdk/devKeys.js";
import { passkeySigner } from "../../../src/sdk/signers.js";
import { balanceKey, codeHashKey } from "../../../src/state/keys.js";
import { CHAIN_ID, networkSpec } from "../../helpers/validatorHosts.js";
import { genesisNewArgs, runWeft, weftLocal } from "../../helpers/weftCli.js";

const E18 = 10n ** 18n;

const keys: GenesisAccountKey[] = [
  { kind: "ed25519", publicKey: ed25519Key(new Uint8Array(32).fill(7)).publicKey },
  { kind: "secp256k1", signer: "0x00000000000000000000000000000000000000c3" },
  { kind: "passkey", publicKey: passkeySigner(new Uint8Array(32).fill(9)).publicKey },
];

describe("genesis accounts", () => {
  it("block 0 creates each key's account where weft account create would, funded", () => {
    const accounts = keys.map((key, i) => ({
      key,
      amount: BigInt(i) * E18,
      address: genesisAccountAddress(key),
    }));
    const { writes, info } = buildGenesis({
      chainId: CHAIN_ID,
      time: 1_700_000_000,
      accounts: 0,
      feeRecipient: "0x00000000000000000000000000000000000000fe",
      network: networkSpec(1),
      ethDevAccounts: false,
      genesisAccounts: accounts,
    });
    assert.equal(info.contracts.accountFactory, genesisAccountFactoryAddress());
    for (const [i, a] of accounts.entries()) {
      const spec =
        a.key.kind === "secp256k1"
          ? { kind: "secp256k1" as const, owner: a.key.signer }
          : { kind: a.key.kind, publicKey: a.key.publicKey };
      assert.equal(
        counterfactualAddress({ factory: genesisAccountFactoryAddress(), account: spec }),
        a.address,
        `${a.key.kind}: the SDK's counterfactual address`,
      );
      assert.ok(writes.get(codeHashKey(a.address)) !== undefined, `${a.key.kind}: code at ${a.address}`);
      const balance = writes.get(balanceKey(a.address));
      assert.equal(balance === undefined || balance === null ? 0n : decodeU128(balance), BigInt(i) * E18);
    }
  });

  it("the file records them; a wrong address, kind, key or a second grant is refused by field", () => {
    const g = {
      chainId: CHAIN_ID,
      genesisTime: 1_700_000_000,
      network: networkSpec(1),
      accounts: keys.map((key) => ({ key, amount: E18, address: genesisAccountAddress(key) })),
      alloc: [{ address: "0x00000000000000000000000000000000000000a1" as const, amount: 5n }],
    };
    const json = JSON.parse(JSON.stringify(genesisToJson(g)));
    assert.deepEqual(parseGenesis(json), g);
    const bad = (
      edit: (j: { accounts: Record<string, unknown>[]; alloc: unknown[] }) => void,
      what: RegExp,
    ) => {
      const k = JSON.parse(JSON.stringify(json));
      edit(k);
      assert.throws(
        () => parseGenesis(k),
        (e: unknown) => e instanceof GenesisFileError && what.test(e.message),
      );
    };
    bad((k) => {
      (k.accounts[0] as Record<string, unknown>).address = genesisAccountAddress(
        keys[2] as GenesisAccountKey,
      );
    }, /accounts\[0\]\.address 0x[0-9a-f]{40} is not this key's account/);
    bad((k) => {
      (k.accounts[0] as Record<string, unknown>).kind = "rsa";
    }, /accounts\[0\]\.kind must be/);
    bad((k) => {
      (k.accounts[0] as Record<string, unknown>).publicKey = `0x${"ff".repeat(32)}`;
    }, /accounts\[0\]\.publicKey must be a ed25519 public key \(0x[f]{64} is not a point/);
    bad((k) => {
      (k.accounts[2] as Record<string, unknown>).publicKey = `0x05${"11".repeat(64)}`;
    }, /accounts\[2\]\.publicKey must be a passkey public key/);
    bad((k) => {
      k.accounts.push(k.accounts[1] as Record<string, unknown>);
    }, /accounts\[3\] is accounts\[1\] again/);
    bad((k) => {
      k.alloc.push({ address: genesisAccountAddress(keys[0] as GenesisAccountKey), amount: "1" });
    }, /alloc\[1\] gives 0x[0-9a-f]{40} coin a second time \(accounts\[0\] gives it coin already\)/);
  });
});

describe("weft genesis new --account and --alloc-file", () => {
  const weft = weftLocal;

  it("names accounts by keystore key or public key; refuses bad keys and alloc lines by name, writing nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-genesis-accounts-"));
    try {
      const created = weft(dir, "keys", "new", "op0");
      assert.equal(created.status, 0);
      const pub = toHex(ed25519Key(new Uint8Array(32).fill(3)).publicKey);
      const out = join(dir, "genesis.json");
      const base = [...genesisNewArgs(out, 9), "--validator", `${join(dir, "k0.json")}=op0`];
      const refused = (args: string[], what: RegExp) => {
        const r = weft(dir, ...base, ...args);
        assert.equal(r.status, 2, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, what);
        assert.equal(existsSync(out), false, "nothing written");
      };
      refused(["--account", "op0", "--account", "0x1234=5"], /a public key is 32 bytes.*got 2 bytes/);
      refused(
        ["--account", "op0=5", "--account", `0x${"ff".repeat(32)}`],
        /is not a point of the ed25519 curve/,
      );
      refused(["--account", "op0=5", "--account", "nobody=5"], /no key named "nobody"/);
      refused(
        ["--account", "op0=5", "--account", `0x${pub}`, "--account", pub],
        /the same key as --account 0x/,
      );
      refused(
        ["--account", "op0=5", "--account", toHex(devSigner(2).publicKey)],
        /development account dev2's key, which is published/,
      );
      refused(["--account", "op1=5"], /no key named "op1"/);
      const noOperator = weft(
        dir,
        "genesis",
        "new",
        "--out",
        out,
        "--validator",
        `${join(dir, "k0.json")}=op0`,
        "--alloc",
        "0x00000000000000000000000000000000000000a1=5",
      );
      assert.equal(noOperator.status, 2);
      assert.match(noOperator.stderr, /"op0" is not a genesis account: add --account op0/);

      const csv = join(dir, "alloc.csv");
      writeFileSync(
        csv,
        "address,coin\n0x00000000000000000000000000000000000000a1,5\n\n# treasury\n0x00000000000000000000000000000000000000a2,x\n",
      );
      refused(
        ["--account", "op0=5", "--alloc-file", csv],
        /alloc\.csv line 5: whole coin, like 1000, got "x"/,
      );
      writeFileSync(
        csv,
        "0x00000000000000000000000000000000000000a1,5\n0x00000000000000000000000000000000000000A1,6\n",
      );
      refused(
        ["--account", "op0=5", "--alloc-file", csv],
        /alloc\.csv line 2: 0x0{38}a1 is given coin a second time \(first by --alloc-file .*alloc\.csv line 1\)/,
      );
      writeFileSync(csv, "0x00000000000000000000000000000000000000a1;5\n");
      refused(["--account", "op0=5", "--alloc-file", csv], /alloc\.csv line 1: <address>,<coin> expected/);
      const many = Array.from({ length: 100_001 }, (_, i) => `0x${(i + 1).toString(16).padStart(40, "0")},1`);
      writeFileSync(csv, `${many.join("\n")}\n`);
      refused(["--account", "op0=5", "--alloc-file", csv], /at most 100000 entries, got 100001/);

      const json = join(dir, "alloc.json");
      writeFileSync(
        json,
        JSON.stringify([
          { address: "0x00000000000000000000000000000000000000a1", coin: "5" },
          { address: "0x00000000000000000000000000000000000000a2", coin: 7 },
        ]),
      );
      const made = weft(
        dir,
        ...base,
        "--account",
        "op0=100",
        "--account",
        `0x${pub}=3`,
        "--alloc-file",
        json,
      );
      assert.equal(made.status, 0, made.stderr);
      const file = readGenesisFile(out);
      const stored = JSON.parse(readFileSync(join(dir, ".weft/keys/op0.json"), "utf8")) as {
        account: string;
        publicKey: string;
      };
      const op0 = genesisAccountAddress({ kind: "ed25519", publicKey: Buffer.from(stored.publicKey, "hex") });
      assert.equal(stored.account, op0, "the keystore entry records its genesis account");
      assert.match(
        created.stdout,
        new RegExp(`its account \\(once created\\): ${op0}`),
        "weft keys new said where",
      );
      assert.equal(file.network.validators[0]?.operator, op0, "--validator k0.json=op0 names op0's account");
      assert.deepEqual(
        file.accounts?.map((a) => [a.address, a.amount]),
        [
          [op0, 100n * E18],
          [genesisAccountAddress({ kind: "ed25519", publicKey: Buffer.from(pub, "hex") }), 3n * E18],
        ],
      );
      assert.deepEqual(
        file.alloc?.map((a) => a.amount),
        [5n * E18, 7n * E18],
      );
      assert.match(made.stdout, new RegExp(`account ${op0} \\(op0 key\\): 100 coin`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("takes a validator's BLS key and proof made on the operator's machine (weft genesis validator), checked", () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-genesis-accounts-"));
    try {
      assert.equal(weft(dir, "keys", "new", "op0").status, 0);
      const made = weft(
        dir,
        "--json",
        "genesis",
        "validator",
        "k0.json",
        "--chain-id",
        "7",
        "--operator",
        "op0",
      );
      assert.equal(made.status, 0, made.stderr);
      const { validator, operator } = JSON.parse(made.stdout) as { validator: string; operator: string };
      const out = join(dir, "genesis.json");
      const wrongChain = weft(
        dir,
        ...genesisNewArgs(out, 8),
        "--account",
        "op0=10",
        "--validator",
        validator,
      );
      assert.notEqual(wrongChain.status, 0);
      assert.match(wrongChain.stderr, /validator 0's proof of possession does not verify/);
      assert.equal(existsSync(out), false, "nothing written");
      const ok = weft(
        dir,
        ...genesisNewArgs(out, 7),
        "--account",
        "op0=10",
        "--validator",
        validator.replace(/=.*/, "=op0"),
      );
      assert.equal(ok.status, 0, ok.stderr);
      const file = readGenesisFile(out);
      assert.equal(file.network.validators[0]?.operator, operator);
      assert.equal(file.accounts?.[0]?.address, operator, "the operator is op0's genesis account");
      assert.equal(readFileSync(out, "utf8").includes("secret"), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an operator whose key the genesis named by its public key signs from its account, found on chain", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weft-genesis-accounts-"));
    const operator = join(dir, "operator");
    const writer = join(dir, "writer");
    mkdirSync(operator);
    mkdirSync(writer);
    try {
      // The operator's machine: a key; its public key goes to the genesis writer.
      const made = await runWeft(["--json", "keys", "new", "op1"], { cwd: operator });
      assert.equal(made.code, 0, made.err);
      const pub = (JSON.parse(made.out) as { publicKey: string }).publicKey;
      const out = join(writer, "genesis.json");
      const genesis = await runWeft(
        [
          ...genesisNewArgs(out, 9),
          "--account",
          `${pub}=50`,
          "--validator",
          `${join(writer, "k0.json")}=0x${"a1".padStart(40, "0")}`,
          "--alloc",
          `0x${"a1".padStart(40, "0")}=5`,
        ],
        { cwd: writer },
      );
      assert.equal(genesis.code, 0, genesis.err);
      const account = readGenesisFile(out).accounts?.[0]?.address as string;
      const running = await startNode(
        loadConfig(
          {
            dataDir: join(writer, "data"),
            port: 0,
            genesis: out,
            workers: 1,
            validatorKey: join(writer, "k0.json"),
            p2pListen: "/ip4/127.0.0.1/tcp/0",
            blockTimeMs: 200,
          },
          {},
        ),
        pino({ level: "silent" }),
      );
      try {
        const url = running.address.url;
        const sent = await runWeft(
          ["--rpc", url, "send", `0x${"b2".padStart(40, "0")}`, "2", "--from", "op1"],
          {
            cwd: operator,
          },
        );
        assert.equal(sent.code, 0, `${sent.err}${sent.out}`);
        assert.match(sent.out, /sent 2 coin to 0x0{38}b2/);
        const entry = JSON.parse(readFileSync(join(operator, ".weft/keys/op1.json"), "utf8")) as {
          account?: string;
        };
        assert.equal(entry.account, account, "the keystore records the account it found");
      } finally {
        await running.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
