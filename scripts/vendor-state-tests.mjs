// Copies the chosen GeneralStateTests of ethereum/tests (Cancun post-states) into
// test/vectors/ethereum-tests/, with the licence, from a local git snapshot of that
// repository:  node scripts/vendor-state-tests.mjs <path to ethereum/tests git dir>
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const DIRS = [
  "stExample",
  "stSLoadTest",
  "stShift",
  "stChainId",
  "stSelfBalance",
  "stLogTests",
  "stCreate2",
  "stCallCodes",
  "stRefundTest",
  "stEIP3607",
  "stCodeCopyTest",
  "stZeroCallsTest",
  "stBugs",
  "stInitCodeTest",
  "stSolidityTest",
  "stArgsZeroOneBalance",
  "Cancun",
  "VMTests/vmArithmeticTest",
  "VMTests/vmBitwiseLogicOperation",
];
/** The slowest files (seconds each in ethereumjs at load ~17): left out to keep the test within ~30 s. */
const SLOW = new Set([
  "15_tstoreCannotBeDosd.json",
  "21_tstoreCannotBeDosdOOO.json",
  "shiftCombinations.json",
  "shiftSignedCombinations.json",
  "diffPlaces.json",
  "transStorageOK.json",
  "Create2OOGFromCallRefunds.json",
  "CREATE2_FirstByte_loop.json",
  "twoOps.json",
  "divByZero.json",
  "MCOPY_copy_cost.json",
  "transStorageReset.json",
]);
const repo = process.argv[2];
if (repo === undefined)
  throw new Error("usage: node scripts/vendor-state-tests.mjs <ethereum/tests git dir>");
const git = (...args) => execFileSync("git", ["--git-dir", repo, ...args], { maxBuffer: 1 << 28 }).toString();
const out = "test/vectors/ethereum-tests";
const commit = git("rev-parse", "HEAD").trim();
let files = 0;
for (const dir of DIRS) {
  for (const path of git("ls-tree", "-r", "--name-only", "HEAD", `GeneralStateTests/${dir}`).split("\n")) {
    if (!path.endsWith(".json") || SLOW.has(path.split("/").pop())) continue;
    const target = join(out, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, git("show", `HEAD:${path}`));
    files++;
  }
}
writeFileSync(join(out, "LICENSE"), git("show", "HEAD:LICENSE"));
writeFileSync(
  join(out, "SOURCE.md"),
  `From https://github.com/ethereum/tests at ${commit} (licence: LICENSE beside this file).\n` +
    `Copied by scripts/vendor-state-tests.mjs: ${files} files of GeneralStateTests/{${DIRS.join(",")}},\n` +
    `less the slowest: ${[...SLOW].join(", ")}.\n`,
);
console.log(`${files} files from ${commit}`);
