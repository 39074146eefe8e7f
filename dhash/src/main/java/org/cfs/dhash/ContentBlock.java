package org.cfs.dhash;

import java.util.Arrays;
import java.util.Objects;
import org.cfs.chord.Id;

/**
 * An immutable block named by the hash of its data: {@code key = H(data)}. The key is computed
 * from the data on first use and kept, since a publish, a store and a verification all ask for
 * it: the data array must not change after the block is made (blocks are read-only).
 */
public final class ContentBlock implements Block {
    private final byte[] data;
    /** H(data), set on first use; a race only hashes twice. */
    private Id key;

    public ContentBlock(byte[] data) {
        this.data = Objects.requireNonNull(data, "data");
    }

    public byte[] data() {
        return data;
    }

    @Override
    public Id key() {
        Id k = key;
        if (k == null) {
            k = Id.hash(data);
            key = k;
        }
        return k;
    }

    @Override
    public BlockType type() {
        return BlockType.CHASH;
    }

    @Override
    public byte[] encode() {
        return BlockCodec.encode(this);
    }

    @Override
    public int size() {
        return BlockCodec.CHASH_OVERHEAD + data.length;
    }

    @Override
    public void verify(Id claimedKey, long nowMillis, int maxDataBytes) throws DHashException {
        BlockCodec.checkDataSize(data.length, maxDataBytes);
        Id actual = key();
        if (!actual.equals(claimedKey)) {
            throw new DHashException(DHashException.Kind.BAD_HASH,
                    "block bytes hash to " + actual + " not to the key " + claimedKey);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContentBlock other && Arrays.equals(data, other.data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "ContentBlock[" + data.length + " bytes]";
    }
}
