// Events of the NFT (read by the build, which generates events.gen.ts). `rentableNft`
// re-exports them. Signatures follow ERC-721, ERC-2981 and ERC-173.
import { Address, Indexed } from "../../sdk/index";

/** Token `tokenId` moved; `from` is zero for a mint, `to` is zero for a burn. Clears the token's approval. */
export declare function Transfer(from: Indexed<Address>, to: Indexed<Address>, tokenId: Indexed<u64>): void;
/** `owner` let `approved` move token `tokenId` (zero: no one). */
export declare function Approval(
  owner: Indexed<Address>,
  approved: Indexed<Address>,
  tokenId: Indexed<u64>,
): void;
/** `owner` let (or stopped letting) `operator` move all of its tokens. */
export declare function ApprovalForAll(
  owner: Indexed<Address>,
  operator: Indexed<Address>,
  approved: bool,
): void;
/** `account` gained or lost the minter role. */
export declare function MinterSet(account: Indexed<Address>, allowed: bool): void;
/** The royalty of every token without one of its own. */
export declare function DefaultRoyaltySet(receiver: Indexed<Address>, bps: u64): void;
/** The royalty of one token (overrides the default). */
export declare function TokenRoyaltySet(tokenId: Indexed<u64>, receiver: Indexed<Address>, bps: u64): void;
/** The owner (who sets roles and royalties) changed. */
export declare function OwnershipTransferred(previous: Indexed<Address>, next: Indexed<Address>): void;
