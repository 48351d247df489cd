// Errors of the rentable NFT: the NFT's own (read by the build from ../nft/errors.ts).
export {
  IncorrectOwner,
  NonexistentToken,
  NonReceiver,
  NotApproved,
  NotMinter,
  NotOwner,
  RoyaltyTooHigh,
  TokenExists,
  ZeroAddress,
} from "../nft/errors";
