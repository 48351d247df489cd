// Deploys the counter to a running node and records it in deployments/<network>.json.
// Usage: node scripts/deploy.mjs (env WEFT_RPC, default http://127.0.0.1:8545; WEFT_NETWORK, default "local").
import { createClient, http } from "weft";
import { deployProjectContract, devAccount, loadProject } from "weft/project";

const rpc = process.env.WEFT_RPC ?? "http://127.0.0.1:8545";
const network = process.env.WEFT_NETWORK ?? "local";
const client = createClient({ transport: http(rpc) });
const project = loadProject(process.cwd());

try {
  // A development account of the node's genesis: for local chains only.
  const account = await devAccount(client, 0);
  const { record, file } = await deployProjectContract(project, network, {
    client,
    account,
    name: "counter",
    args: [3600n], // init(cooldownSeconds)
  });
  console.log(`counter deployed at ${record.address} (tx ${record.txHash}), recorded in ${file}`);
} catch (error) {
  // One line, not a stack trace: the usual cause is no node at WEFT_RPC.
  console.error(`deploy failed: ${error instanceof Error ? error.message : String(error)}`);
  console.error(`is a node running at ${rpc}? start one with: npx weft node (or set WEFT_RPC)`);
  process.exit(1);
}
