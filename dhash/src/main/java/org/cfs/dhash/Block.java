package org.cfs.dhash;

import org.cfs.chord.Id;

/**
 * A unit of storage in DHash, named by a key that anyone can check against its bytes: the hash
 * of the data for a {@link ContentBlock}, the hash of the signer's public key and a label for a
 * {@link SignedBlock}.
 *
 * <p>Blocks hold their arrays without copying them, so wrapping a megabyte costs nothing; treat
 * the arrays as read-only once they are in a block. The encoding is documented in
 * {@code BlockCodec}.
 */
public sealed interface Block permits ContentBlock, SignedBlock {
    /** The default limit on a block's data (content-hash) or payload (public-key): 1 MiB. */
    int DEFAULT_MAX_DATA = 1 << 20;

    /** The key this block is stored under; computed from the block, so it costs a hash. */
    Id key();

    BlockType type();

    /** The block as stored and sent. */
    byte[] encode();

    /** The length of {@link #encode()}, without encoding. */
    int size();

    /**
     * Checks that this block may be stored or returned under {@code claimedKey}.
     *
     * @param nowMillis the caller's clock, for the expiry of signed blocks
     * @param maxDataBytes the largest data or payload accepted
     * @throws DHashException TOO_LARGE, BAD_HASH, BAD_SIGNATURE or EXPIRED, saying which value
     *     was wrong
     */
    void verify(Id claimedKey, long nowMillis, int maxDataBytes) throws DHashException;

    /**
     * Decodes a block, checking every length before allocating.
     *
     * @param maxDataBytes the largest data or payload accepted
     * @throws DHashException MALFORMED if the bytes are not a block, TOO_LARGE if the data or
     *     payload exceeds {@code maxDataBytes}
     */
    static Block decode(byte[] encoded, int maxDataBytes) throws DHashException {
        return BlockCodec.decode(encoded, maxDataBytes);
    }
}
