// Deploys the counter to a running node (rebuilt first when its sources changed), records it in
// deployments/<network>.json and registers its metadata with the node (the explorer decodes it).
// Usage: node scripts/deploy.mjs
//   WEFT_RPC      the node (default http://127.0.0.1:8545)
//   WEFT_NETWORK  the deployments file's name (default "local")
//   WEFT_PRIVATE_KEY  the deploying account's key (64 hex digits; ed25519). Unset: development
//                 account 0 of a local chain. With it, WEFT_ACCOUNT names the account the key
//                 controls (default: the account factory's account for that key).
import { createClient, http } from "@weft-chain/weft";
import { deployProjectContract, devAccount, keyAccount, loadProject, parsePrivateKey } from "@weft-chain/weft/project";

const rpc = process.env.WEFT_RPC ?? "http://127.0.0.1:8545";
const network = process.env.WEFT_NETWORK ?? "local";
const client = createClient({ transport: http(rpc) });
const project = loadProject(process.cwd());

try {
  const account =
    process.env.WEFT_PRIVATE_KEY === undefined
      ? await devAccount(client, 0) // a development account of the node's genesis: local chains only
      : await keyAccount(client, parsePrivateKey(process.env.WEFT_PRIVATE_KEY, "WEFT_PRIVATE_KEY"), {
          address: process.env.WEFT_ACCOUNT,
        });
  const { record, file, replaced, rebuilt } = await deployProjectContract(project, network, {
    client,
    account,
    name: "counter",
    args: [3600n], // init(cooldownSeconds)
  });
  if (rebuilt) console.log("rebuilt counter: its sources changed since the last build");
  console.log(`counter deployed at ${record.address} (tx ${record.txHash}), recorded in ${file}`);
  if (replaced !== undefined)
    console.log(`it replaces counter at ${replaced.address} (${replaced.deployedAt}), kept in "previous"`);
} catch (error) {
  // One line, not a stack trace; and when the node did not answer, how to start one.
  console.error(`deploy failed: ${error instanceof Error ? error.message : String(error)}`);
  if (error?.name === "TransportError")
    console.error(`is a node running at ${rpc}? start one with: npx weft node (or set WEFT_RPC)`);
  if (error?.code === "NO_ACCOUNT")
    console.error(
      "create the key's account (npx weft keys import <name>, then npx weft account create <name>), or set WEFT_ACCOUNT to the account the key controls",
    );
  process.exit(1);
}
