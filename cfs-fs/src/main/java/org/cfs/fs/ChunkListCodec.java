package org.cfs.fs;

import java.util.ArrayList;
import java.util.List;
import org.cfs.chord.Id;

/**
 * The encoding of a large file's chunk list, a tree of blocks so the chunk at any offset is found
 * by descending one block per level.
 *
 * <pre>
 * listnode = 'L' version:u8=1 level:u8 count:u32 (ref:20 length:u64)*count
 * </pre>
 *
 * At level 0 each ref is a data chunk of {@code length} bytes (1..1 MiB); above, a child node at
 * the level below, whose lengths add up to {@code length}. A node has at least one item; the
 * level is at most 7.
 */
final class ChunkListCodec {
    static final int ITEM_BYTES = Id.BYTES + 8;

    private ChunkListCodec() {
    }

    static byte[] encode(ListNode node) {
        Encoder out = new Encoder(7 + ITEM_BYTES * node.items().size());
        out.u8(Format.LIST_MAGIC).u8(Format.VERSION).u8(node.level()).u32(node.items().size());
        for (ChunkRef c : node.items()) {
            out.id(c.ref()).i64(c.length());
        }
        return out.toByteArray();
    }

    static ListNode decode(byte[] encoded) throws CorruptBlockException {
        Decoder in = new Decoder(encoded);
        in.header(Format.LIST_MAGIC, "chunk list block");
        int level = in.u8("level");
        if (level > Format.MAX_LEVEL) {
            throw new CorruptBlockException("chunk list block at level " + level + " is deeper than the limit of "
                    + Format.MAX_LEVEL);
        }
        int count = in.count(in.u32("item count"), ITEM_BYTES, "chunk list items");
        if (count == 0) {
            throw new CorruptBlockException("chunk list block has no items");
        }
        List<ChunkRef> items = new ArrayList<>(count);
        long total = 0;
        for (int i = 0; i < count; i++) {
            Id ref = in.id("chunk ref");
            long length = in.u63("chunk length");
            if (length == 0 || (level == 0 && length > Format.MAX_CHUNK)) {
                throw new CorruptBlockException("chunk " + ref + " has length " + length + ", outside 1.."
                        + (level == 0 ? Format.MAX_CHUNK : Long.MAX_VALUE));
            }
            total += length;
            if (total < 0) {
                throw new CorruptBlockException("chunk lengths add up to more than 2^63 bytes");
            }
            items.add(new ChunkRef(ref, length));
        }
        in.end("chunk list block");
        return new ListNode(level, items);
    }
}
