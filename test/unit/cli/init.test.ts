/**
 * `weft init` in a folder npm already set up (`npm init -y`: a placeholder test script and
 * `"type": "commonjs"`), the editor setup it writes (tsconfig.json for the tests,
 * contracts/tsconfig.json for AssemblyScript, `@types/node`), and `weft keys import`, which
 * stores an existing key read from stdin or an environment variable, never from argv.
 * No node needed: the CLI runs in a temporary folder.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { toHex } from "../../../src/codec/bytes.js";
import { ed25519Key } from "../../../src/sdk/client/index.js";

const CLI = fileURLToPath(new URL("../../../src/cli/weft.js", import.meta.url));
const NPM_INIT_TEST = 'echo "Error: no test specified" && exit 1';

function weft(cwd: string, args: string[], options: { input?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: "utf8",
    input: options.input ?? "",
    env: { ...process.env, ...options.env },
  });
  return {
    code: r.status,
    out: r.stdout,
    err: r.stderr,
    said: `${args.join(" ")} → ${r.status}\n${r.stdout}\n${r.stderr}`,
  };
}

describe("weft init in an npm folder, and weft keys import", () => {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), "weft-init-"));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it("replaces npm init's placeholder test script, keeps its type and says so, writes the tsconfigs", () => {
    const dir = join(tmp, "npm-init");
    mkdirSync(dir);
    const npmInit = {
      name: "npm-init",
      version: "1.0.0",
      main: "index.js",
      type: "commonjs",
      scripts: { test: NPM_INIT_TEST },
    };
    writeFileSync(join(dir, "package.json"), JSON.stringify(npmInit, null, 2));
    const init = weft(dir, ["init"]);
    assert.equal(init.code, 0, init.said);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    assert.equal(pkg.scripts.test, "weft test");
    assert.equal(pkg.scripts.build, "weft build");
    assert.equal(pkg.type, "commonjs", "the folder's type is kept");
    assert.match(init.out, /placeholder "test" script replaced by "weft test"/, init.said);
    assert.match(init.out, /"type": "commonjs" kept/, init.said);
    assert.match(pkg.devDependencies["@types/node"], /^\^20\./, "for the tests' tsconfig");
    const tsconfig = readFileSync(join(dir, "tsconfig.json"), "utf8");
    assert.match(tsconfig, /"include": \["test\/\*\*\/\*\.ts"\]/);
    assert.match(
      readFileSync(join(dir, "contracts/tsconfig.json"), "utf8"),
      /assemblyscript\/std\/assembly\.json/,
    );
  });

  it("keeps a real test script of the folder's own and says so", () => {
    const dir = join(tmp, "own-script");
    mkdirSync(dir);
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "own", scripts: { test: "vitest" } }));
    const init = weft(dir, ["init"]);
    assert.equal(init.code, 0, init.said);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    assert.equal(pkg.scripts.test, "vitest");
    assert.equal(pkg.type, "module", "no type: ES modules");
    assert.match(init.out, /your "test" script kept, not replaced by "weft test"/, init.said);
  });

  it("imports a raw key from stdin or an environment variable, never echoing it", () => {
    const secret = "7f".repeat(32);
    const keys = join(tmp, "keys");
    const fromStdin = weft(tmp, ["--json", "--keystore", keys, "keys", "import", "ops"], {
      input: `0x${secret}\n`,
    });
    assert.equal(fromStdin.code, 0, fromStdin.said);
    const expected = toHex(ed25519Key(secret).publicKey);
    assert.equal(JSON.parse(fromStdin.out).publicKey, expected);
    const stored = JSON.parse(readFileSync(join(keys, "ops.json"), "utf8"));
    assert.deepEqual([stored.kind, stored.secret, stored.publicKey], ["ed25519", secret, expected]);
    assert.ok(!fromStdin.out.includes(secret) && !fromStdin.err.includes(secret), "the key is not printed");
    const fromEnv = weft(
      tmp,
      ["--keystore", keys, "keys", "import", "ops2", "--from-env", "OPS_KEY", "--kind", "secp256k1"],
      {
        env: { OPS_KEY: secret },
      },
    );
    assert.equal(fromEnv.code, 0, fromEnv.said);
    const listed = weft(tmp, ["--keystore", keys, "keys", "list"]);
    assert.match(listed.out, /ops\s+ed25519[\s\S]*ops2\s+secp256k1/, listed.said);
    // Not from argv; a malformed key is a usage error that does not echo it; a name is not reused.
    assert.equal(weft(tmp, ["--keystore", keys, "keys", "import", "x", secret]).code, 2);
    const bad = weft(tmp, ["--keystore", keys, "keys", "import", "x"], { input: "not-a-key-zzz\n" });
    assert.equal(bad.code, 2, bad.said);
    assert.match(bad.err, /stdin does not hold a private key/);
    assert.doesNotMatch(bad.err, /not-a-key-zzz/);
    assert.equal(weft(tmp, ["--keystore", keys, "keys", "import", "ops"], { input: secret }).code, 2);
  });
});
