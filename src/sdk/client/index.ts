/**
 * Weft's typed client (docs/sdk.md): transports, the node's methods, accounts of every
 * kind, sending, contract bindings, subscriptions, proof checks and DeFi reads.
 */

export {
  type AirdropClaim,
  type AirdropEntry,
  AirdropError,
  type AirdropTree,
  airdropLeaf,
  buildAirdrop,
  buildAllowlist,
  verifyAirdropClaim,
} from "../airdrop.js";
export {
  BlackScholesError,
  type BlackScholesErrorCode,
  blackScholes,
  impliedVolatility,
  normalCdf,
  type OptionInputs,
  type OptionKind,
  type OptionValue,
  yearsBetween,
} from "../blackScholes.js";
export {
  type Account,
  type AccountKind,
  ed25519Account,
  ed25519Key,
  encodeMultisigAuth,
  encodePasskeyAuth,
  type KeyScheme,
  type KeySigner,
  type LocalAccount,
  type LocalKeySigner,
  MULTISIG_SCHEME,
  multisigAccount,
  multisigInitArgs,
  type PasskeyLike,
  type PublicKeyRef,
  passkeyAccount,
  passkeyKey,
  secp256k1Account,
  secp256k1Key,
} from "./accounts.js";
export {
  type ClientConfig,
  createClient,
  type GetBlockParams,
  type Unwatch,
  type WaitForReceiptOptions,
  type WatchOptions,
  type WeftClient,
} from "./client.js";
export {
  type Contract,
  type ContractBinding,
  type GetContractParams,
  getContract,
  type MethodArgs,
  type MethodName,
  type MethodResult,
  type UntypedBinding,
  type WriteOptions,
} from "./contract.js";
export {
  type AccountContractKind,
  type AccountSpec,
  accountCodeHash,
  accountInitArgs,
  type CounterfactualParams,
  counterfactualAddress,
  createAccountCall,
  fundAccountCall,
} from "./counterfactual.js";
export { type DecodedLog, decodeLog, decodeLogs, decodeRevertWith } from "./decode.js";
export {
  type Delegation,
  findPair,
  getDelegation,
  getLendingHealth,
  getLendingPositions,
  getPairReserves,
  getPendingRewards,
  impermanentLossBetween,
  type LendingHealth,
  type LendingPosition,
  type PairReserves,
  pairImpermanentLoss,
  type QuoteParams,
  quoteExactIn,
  quoteExactOut,
  type SwapQuote,
  withSlippage,
} from "./defi.js";
export { type AccountTransaction, type DevActions, type DevBlock, devActions } from "./dev.js";
export {
  type DecodedRevert,
  formatRevert,
  formatValue,
  isRejectionCode,
  ProofVerificationError,
  RpcRequestError,
  TimeoutError,
  TransactionRejectedError,
  TransactionRevertedError,
  TransportError,
  WeftClientError,
} from "./errors.js";
export {
  FARM_SCALE,
  type FarmPool,
  type FarmPosition,
  type FarmSchedule,
  farmDepositCalls,
  farmEmergencyWithdrawCalls,
  farmHarvestCalls,
  farmWithdrawCalls,
  getFarmPools,
  getFarmPositions,
  getFarmSchedule,
} from "./farm.js";
export {
  type GameEconomy,
  type GameQuest,
  gameClaimCalls,
  gameCompleteQuestCalls,
  gameCraftCalls,
  gameScholarshipCalls,
  gameStartQuestCalls,
  gameUpgradeCalls,
  getGameEarnings,
  getGameEconomy,
  getHero,
  type Hero,
} from "./game.js";
export {
  GENESIS_CONTRACTS,
  type GenesisContractName,
  type GenesisContracts,
  getGenesisContracts,
} from "./genesis.js";
export { type HttpTransportOptions, http } from "./http.js";
export {
  buyNft,
  claimNftEarnings,
  decodeRoyaltyInfo,
  getNftEarnings,
  getNftListing,
  getNftRental,
  getNftToken,
  getRoyalty,
  listNft,
  listNftForRent,
  mintNft,
  type NftListing,
  type NftRental,
  type NftToken,
  RENTAL_DAY,
  ROYALTY_DENOMINATOR,
  type Royalty,
  rentNft,
  transferNft,
} from "./nft.js";
export {
  blockHeaderHash,
  getVerifiedAccountBalance,
  getVerifiedStorage,
  getVerifiedValue,
  headerHashMatches,
  type VerifiedBalance,
  type VerifiedValue,
  type VerifyOptions,
  type VerifyStorageParams,
  verifyStorage,
} from "./proofs.js";
export {
  DEFAULT_PRIORITY_FEE,
  estimateFees,
  estimateGasLimit,
  type FeeEstimate,
  type MetadataLike,
  pendingNonce,
  prepareTransaction,
  type ReadContractParams,
  readContract,
  type SendOptions,
  type SignedTransaction,
  sendAndWait,
  sendTransaction,
  signTransaction,
  type TransactionOptions,
  type TransactionRequest,
  type WriteContractParams,
  writeContract,
} from "./send.js";
export {
  grantSessionCall,
  NATIVE_COIN,
  revokeSessionCall,
  type SessionGrant,
  sessionKeyAccount,
} from "./sessionKeys.js";
export type { SubscriptionHandlers, Transport, Unsubscribe } from "./transport.js";
export type * from "./types.js";
export { formatUnits, parseUnits } from "./units.js";
export { type WebSocketTransportOptions, webSocket } from "./webSocket.js";
