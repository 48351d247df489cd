/** `@weft-chain/weft/project`: a Weft project's layout, its built contracts, deploying and recording deployments. */
export { buildProject } from "./build.js";
export {
  DeployError,
  type DeployParams,
  deployContract,
  deployProjectContract,
  devAccount,
} from "./deploy.js";
export { type KeyAccountOptions, keyAccount, PRIVATE_KEY_ENV, parsePrivateKey } from "./keyAccount.js";
export {
  type DeploymentRecord,
  findProject,
  loadProject,
  PROJECT_FILE,
  type Project,
  ProjectError,
  projectArtifact,
  readDeployments,
  recordDeployment,
} from "./project.js";
