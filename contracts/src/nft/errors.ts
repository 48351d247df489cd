// Errors of the NFT (read by the build, which generates errors.gen.ts). `rentableNft`
// re-exports them, so both contracts revert alike.
import { Address } from "../../sdk/index";

/** No token has this id (never minted, or burned). */
export declare function NonexistentToken(tokenId: u64): void;
/** A token with this id already exists. */
export declare function TokenExists(tokenId: u64): void;
/** `from` is not the token's owner. */
export declare function IncorrectOwner(from: Address, tokenId: u64, owner: Address): void;
/** `operator` is neither the token's owner, its approved address, nor an operator of the owner. */
export declare function NotApproved(operator: Address, tokenId: u64): void;
/** Tokens cannot be sent or minted to, approved for, or pay royalties to the zero address. */
export declare function ZeroAddress(): void;
/** Minting (and burning others' tokens) is for accounts with the minter role. */
export declare function NotMinter(caller: Address): void;
/** Roles and royalties are the contract owner's to set. */
export declare function NotOwner(caller: Address): void;
/** `safeTransferFrom`: the receiving contract refused the token (reverted or answered another value). */
export declare function NonReceiver(receiver: Address): void;
/** A royalty above 100% (10,000 basis points). */
export declare function RoyaltyTooHigh(bps: u64, max: u64): void;
