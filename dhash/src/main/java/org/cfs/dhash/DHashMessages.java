package org.cfs.dhash;

import java.util.ArrayList;
import java.util.List;
import org.cfs.chord.Id;
import org.cfs.chord.wire.ChordMessages.Ack;
import org.cfs.chord.wire.MalformedFrameException;
import org.cfs.chord.wire.Message;
import org.cfs.chord.wire.MessageCodec;
import org.cfs.chord.wire.MessageRegistry;
import org.cfs.chord.wire.WireReader;
import org.cfs.chord.wire.WireWriter;

/**
 * DHash's wire messages, type numbers 64..79 (below 64 is Chord's). Fields are encoded in record
 * order; a block travels as its encoded bytes and is verified by whoever receives it.
 *
 * <pre>
 * 64 StoreBlock  key:id  block:bytes32  replica:bool     reply: Ack
 * 65 FetchBlock  key:id  expiredToo:bool                 reply: Fetched, or error NOT_FOUND / EXPIRED
 * 66 Fetched     block:bytes32  fromCache:bool
 * 67 Probe       key:id                                  reply: Probed
 * 68 Probed      stored:bool  cached:bool
 * 69 CacheOffer  key:id  block:bytes32                   reply: Ack
 * 70 RangeDigest from:id  to:id  parts:u16               reply: Digests
 * 71 Digests     digests:bytes32 (parts x 24 bytes: count:u32, xor of keys with versions:20)
 * 72 ListKeys    from:id  to:id  limit:u16               reply: KeyList
 * 73 KeyList     count:u16  (key:id version:u64)*count  complete:bool
 * 74 ReportBad   key:id                                  reply: Ack
 * </pre>
 * DHash errors travel as error replies with code {@link #errorCode} of the {@link DHashException.Kind}.
 */
public final class DHashMessages {
    /** Largest encoded block a frame may carry: the data limit plus PKEY overhead, well under the frame limit. */
    static final int MAX_BLOCK_BYTES = 4 * 1024 * 1024;
    /** Most sub-ranges one digest request may ask for. */
    static final int MAX_PARTS = 1024;
    /** Most keys one key list may carry. */
    static final int MAX_KEYS = 4096;
    /** Remote error codes of DHash are this plus the kind's code. */
    static final int ERROR_BASE = 100;
    /** Bytes of one sub-range digest: count (4) and XOR of the keys (20). */
    static final int DIGEST_BYTES = 4 + Id.BYTES;

    private DHashMessages() {
    }

    static int errorCode(DHashException.Kind kind) {
        return ERROR_BASE + kind.code();
    }

    /** Stores a block; {@code replica} marks a copy made by maintenance, which no quota is charged for. */
    record StoreBlock(Id key, byte[] block, boolean replica) implements Message {
    }

    /**
     * Asks for a block; an expired signed block is refused unless {@code expiredToo}, which a
     * publisher uses to learn the sequence number it must outrank.
     */
    record FetchBlock(Id key, boolean expiredToo) implements Message {
    }

    record Fetched(byte[] block, boolean fromCache) implements Message {
    }

    record Probe(Id key) implements Message {
    }

    record Probed(boolean stored, boolean cached) implements Message {
    }

    /** A block a reader fetched, offered to a node on its lookup path for caching. */
    record CacheOffer(Id key, byte[] block) implements Message {
    }

    /** Digests of the keys held in each of {@code parts} equal sub-ranges of (from, to]. */
    record RangeDigest(Id from, Id to, int parts) implements Message {
    }

    record Digests(byte[] digests) implements Message {
    }

    record ListKeys(Id from, Id to, int limit) implements Message {
    }

    /** Keys with their versions (see {@link BlockStore#forEachVersion}), in ring order. */
    record KeyList(List<Id> keys, List<Long> versions, boolean complete) implements Message {
        KeyList {
            keys = List.copyOf(keys);
            versions = List.copyOf(versions);
            if (keys.size() != versions.size()) {
                throw new IllegalArgumentException(keys.size() + " keys but " + versions.size() + " versions");
            }
        }
    }

    /** A reader found the copy this host served for {@code key} bad: check it and drop it if so. */
    record ReportBad(Id key) implements Message {
    }

    /** Chord's registry with DHash's messages added. */
    public static MessageRegistry registry() {
        return MessageRegistry.chord().toBuilder().addAll(codecs()).build();
    }

    static List<MessageCodec<?>> codecs() {
        return List.of(
                MessageCodec.of(64, StoreBlock.class,
                        (m, out) -> out.id(m.key()).bytes(m.block()).bool(m.replica()),
                        in -> new StoreBlock(in.id("key"), in.bytes("block", MAX_BLOCK_BYTES), in.bool("replica"))),
                MessageCodec.of(65, FetchBlock.class,
                        (m, out) -> out.id(m.key()).bool(m.expiredToo()),
                        in -> new FetchBlock(in.id("key"), in.bool("expiredToo"))),
                MessageCodec.of(66, Fetched.class,
                        (m, out) -> out.bytes(m.block()).bool(m.fromCache()),
                        in -> new Fetched(in.bytes("block", MAX_BLOCK_BYTES), in.bool("fromCache"))),
                MessageCodec.of(67, Probe.class,
                        (m, out) -> out.id(m.key()),
                        in -> new Probe(in.id("key"))),
                MessageCodec.of(68, Probed.class,
                        (m, out) -> out.bool(m.stored()).bool(m.cached()),
                        in -> new Probed(in.bool("stored"), in.bool("cached"))),
                MessageCodec.of(69, CacheOffer.class,
                        (m, out) -> out.id(m.key()).bytes(m.block()),
                        in -> new CacheOffer(in.id("key"), in.bytes("block", MAX_BLOCK_BYTES))),
                MessageCodec.of(70, RangeDigest.class,
                        (m, out) -> out.id(m.from()).id(m.to()).u16(m.parts()),
                        in -> new RangeDigest(in.id("from"), in.id("to"), parts(in))),
                MessageCodec.of(71, Digests.class,
                        (m, out) -> out.bytes(m.digests()),
                        in -> new Digests(in.bytes("digests", MAX_PARTS * DIGEST_BYTES))),
                MessageCodec.of(72, ListKeys.class,
                        (m, out) -> out.id(m.from()).id(m.to()).u16(m.limit()),
                        in -> new ListKeys(in.id("from"), in.id("to"), in.u16("limit"))),
                MessageCodec.of(73, KeyList.class,
                        DHashMessages::writeKeys,
                        DHashMessages::readKeys),
                MessageCodec.of(74, ReportBad.class,
                        (m, out) -> out.id(m.key()),
                        in -> new ReportBad(in.id("key"))));
    }

    private static int parts(WireReader in) throws MalformedFrameException {
        int parts = in.u16("parts");
        if (parts < 1 || parts > MAX_PARTS) {
            throw new MalformedFrameException("RangeDigest.parts: " + parts + " is outside 1.." + MAX_PARTS);
        }
        return parts;
    }

    private static void writeKeys(KeyList m, WireWriter out) {
        out.u16(m.keys().size());
        for (int i = 0; i < m.keys().size(); i++) {
            out.id(m.keys().get(i)).i64(m.versions().get(i));
        }
        out.bool(m.complete());
    }

    private static KeyList readKeys(WireReader in) throws MalformedFrameException {
        int count = in.u16("count");
        if (count > MAX_KEYS || (long) count * (Id.BYTES + Long.BYTES) > in.remaining()) {
            throw new MalformedFrameException("KeyList.keys: " + count + " keys do not fit the "
                    + in.remaining() + " remaining bytes or exceed the " + MAX_KEYS + "-key limit");
        }
        List<Id> keys = new ArrayList<>(count);
        List<Long> versions = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            keys.add(in.id("keys[" + i + "]"));
            versions.add(in.i64("versions[" + i + "]"));
        }
        return new KeyList(keys, versions, in.bool("complete"));
    }
}
