package org.cfs.dhash;

import java.util.Arrays;
import java.util.Objects;
import org.cfs.chord.Id;

/** An immutable block named by the hash of its data: {@code key = H(data)}. */
public record ContentBlock(byte[] data) implements Block {
    public ContentBlock {
        Objects.requireNonNull(data, "data");
    }

    @Override
    public Id key() {
        return Id.hash(data);
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
