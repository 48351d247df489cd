// Events of the rentable NFT: the NFT's (read by the build from ../nft/events.ts) and ERC-4907's.
import { Address, Indexed } from "../../sdk/index";

export {
  Approval,
  ApprovalForAll,
  DefaultRoyaltySet,
  MinterSet,
  OwnershipTransferred,
  TokenRoyaltySet,
  Transfer,
} from "../nft/events";

/** ERC-4907: the token's user is now `user` until `expires` (inclusive); zero and 0 when cleared. */
export declare function UpdateUser(tokenId: Indexed<u64>, user: Indexed<Address>, expires: u64): void;
