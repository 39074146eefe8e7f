package org.cfs.dhash;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.cfs.chord.Id;
import org.cfs.chord.NodeRef;
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
 * 67 Probe       key:id  refresh:bool                    reply: Probed
 * 68 Probed      stored:bool  cached:bool
 * 69 CacheOffer  key:id  block:bytes32                   reply: Ack
 * 70 RangeDigest from:id  to:id  parts:u16               reply: Digests
 * 71 Digests     digests:bytes32 (parts x 24 bytes: count:u32, xor of keys with versions:20)
 * 72 ListKeys    from:id  to:id  limit:u16               reply: KeyList
 * 73 KeyList     count:u16  (key:id version:u64)*count  complete:bool
 * 74 ReportBad   key:id                                  reply: Ack
 * 75 GetStatus   (no fields)                             reply: NodeStatus
 * 76 NodeStatus  software:utf8 (at most 128 bytes)  uptimeMillis:u64  blocks:u64  bytes:u64  capacity:u64
 *                cachedBytes:u64  maintenanceRounds:u64  sinceMaintenanceMillis:i64  lastMaintenanceMillis:i64
 *                vnodeCount:u16 (at most 1024)  vnode*vnodeCount
 *    vnode     = self:node  predecessor:node?  successors:node[]  fingers:node[]
 * 77 StoreBlocks count:u16 (1..4096)  (key:id  block:bytes32)*count    reply: Ack
 * </pre>
 * StoreBlocks carries maintenance copies of blocks that share one owner, as a graceful leave hands
 * them over; its keys are distinct, and the sender keeps its blocks to {@link #BATCH_BYTES} unless
 * one block alone is larger.
 * In NodeStatus the u64 fields are at most 2^63-1, and the two maintenance times are -1 before the
 * first round has ended, else at least 0.
 * DHash errors travel as error replies with code {@link #errorCode} of the {@link DHashException.Kind}.
 */
public final class DHashMessages {
    /** Largest encoded block a frame may carry: the data limit plus PKEY overhead, well under the frame limit. */
    static final int MAX_BLOCK_BYTES = 4 * 1024 * 1024;
    /** Most sub-ranges one digest request may ask for. */
    static final int MAX_PARTS = 1024;
    /** Most keys one key list may carry. */
    static final int MAX_KEYS = 4096;
    /** Most blocks one StoreBlocks may carry. */
    static final int MAX_BATCH_BLOCKS = 4096;
    /** Block bytes a sender puts in one StoreBlocks: well under the frame limit, and many in flight. */
    static final int BATCH_BYTES = 1024 * 1024;
    /** Remote error codes of DHash are this plus the kind's code. */
    static final int ERROR_BASE = 100;
    /** Most vnodes a status may describe: {@code ChordConfig}'s own upper bound on vnodes per host. */
    static final int MAX_STATUS_VNODES = 1024;
    /** Most UTF-8 bytes of the software version in a status. */
    static final int MAX_SOFTWARE_BYTES = 128;
    /** The shortest vnode in a status: a one-byte-host node entry, no predecessor, two empty lists. */
    static final int MIN_VNODE_STATUS_BYTES = (Id.BYTES + 1 + 1 + 2 + 2) + 1 + 2 + 2;
    /** Bytes of one sub-range digest: count (4) and XOR of the keys (20). */
    static final int DIGEST_BYTES = 4 + Id.BYTES;

    private DHashMessages() {
    }

    static int errorCode(DHashException.Kind kind) {
        return ERROR_BASE + kind.code();
    }

    /**
     * A request a host's block server answers. The set is closed: each request hands itself to the
     * {@link Handler} method for its kind, so a request added here does not compile until the
     * server serves it. {@link GetStatus} is not one: the node answers it, not its store.
     */
    sealed interface BlockRequest extends Message
            permits StoreBlock, StoreBlocks, FetchBlock, Probe, CacheOffer, RangeDigest, ListKeys, ReportBad {
        /** Passes this request from {@code fromHost} to {@code handler}'s method for its kind; its reply. */
        CompletableFuture<? extends Message> accept(Handler handler, String fromHost);

        /** Serves block requests: one method per kind, each completing with the reply its request names. */
        interface Handler {
            CompletableFuture<Ack> onStoreBlock(StoreBlock request, String fromHost);

            CompletableFuture<Ack> onStoreBlocks(StoreBlocks request, String fromHost);

            CompletableFuture<Fetched> onFetchBlock(FetchBlock request, String fromHost);

            CompletableFuture<Probed> onProbe(Probe request, String fromHost);

            CompletableFuture<Ack> onCacheOffer(CacheOffer request, String fromHost);

            CompletableFuture<Digests> onRangeDigest(RangeDigest request, String fromHost);

            CompletableFuture<KeyList> onListKeys(ListKeys request, String fromHost);

            CompletableFuture<Ack> onReportBad(ReportBad request, String fromHost);
        }
    }

    /** Stores a block; {@code replica} marks a copy made by maintenance, which no quota is charged for. */
    record StoreBlock(Id key, byte[] block, boolean replica) implements BlockRequest {
        @Override
        public CompletableFuture<Ack> accept(Handler handler, String fromHost) {
            return handler.onStoreBlock(this, fromHost);
        }
    }

    /**
     * Asks for a block; an expired signed block is refused unless {@code expiredToo}, which a
     * publisher uses to learn the sequence number it must outrank.
     */
    record FetchBlock(Id key, boolean expiredToo) implements BlockRequest {
        @Override
        public CompletableFuture<Fetched> accept(Handler handler, String fromHost) {
            return handler.onFetchBlock(this, fromHost);
        }
    }

    record Fetched(byte[] block, boolean fromCache) implements Message {
    }

    /**
     * Asks whether a block is held; with {@code refresh}, a held block's lease restarts, charged to
     * the asker as a put of it would be, which is how a publisher keeps blocks it need not resend.
     */
    record Probe(Id key, boolean refresh) implements BlockRequest {
        @Override
        public CompletableFuture<Probed> accept(Handler handler, String fromHost) {
            return handler.onProbe(this, fromHost);
        }
    }

    record Probed(boolean stored, boolean cached) implements Message {
    }

    /** A block a reader fetched, offered to a node on its lookup path for caching. */
    record CacheOffer(Id key, byte[] block) implements BlockRequest {
        @Override
        public CompletableFuture<Ack> accept(Handler handler, String fromHost) {
            return handler.onCacheOffer(this, fromHost);
        }
    }

    /** Digests of the keys held in each of {@code parts} equal sub-ranges of (from, to]. */
    record RangeDigest(Id from, Id to, int parts) implements BlockRequest {
        @Override
        public CompletableFuture<Digests> accept(Handler handler, String fromHost) {
            return handler.onRangeDigest(this, fromHost);
        }
    }

    record Digests(byte[] digests) implements Message {
    }

    record ListKeys(Id from, Id to, int limit) implements BlockRequest {
        @Override
        public CompletableFuture<KeyList> accept(Handler handler, String fromHost) {
            return handler.onListKeys(this, fromHost);
        }
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

    /**
     * Maintenance copies of many blocks with one owner, stored in one durable write: what a graceful
     * leave hands over. Keys are distinct; {@code blocks.get(i)} is the block of {@code keys.get(i)}.
     */
    record StoreBlocks(List<Id> keys, List<byte[]> blocks) implements BlockRequest {
        StoreBlocks {
            keys = List.copyOf(keys);
            blocks = List.copyOf(blocks);
            if (keys.size() != blocks.size() || keys.isEmpty() || keys.size() > MAX_BATCH_BLOCKS) {
                throw new IllegalArgumentException(keys.size() + " keys and " + blocks.size()
                        + " blocks: a batch needs as many of each, 1.." + MAX_BATCH_BLOCKS);
            }
        }

        @Override
        public CompletableFuture<Ack> accept(Handler handler, String fromHost) {
            return handler.onStoreBlocks(this, fromHost);
        }
    }

    /** A reader found the copy this host served for {@code key} bad: check it and drop it if so. */
    record ReportBad(Id key) implements BlockRequest {
        @Override
        public CompletableFuture<Ack> accept(Handler handler, String fromHost) {
            return handler.onReportBad(this, fromHost);
        }
    }

    /** Asks a host for its {@link NodeStatus}: what {@code cfs status} shows. */
    public record GetStatus() implements Message {
    }

    /**
     * A host's own view of itself: software version, time since it started, its store (blocks,
     * bytes, capacity) and path cache, its maintenance (rounds, time since the last one ended and how
     * long that one took, both null before the first), and each vnode's neighbours and fingers.
     */
    public record NodeStatus(String software, Duration uptime, long blocks, long bytes, long capacity,
                             long cachedBytes, long maintenanceRounds, Duration sinceMaintenance,
                             Duration lastMaintenance, List<VnodeStatus> vnodes) implements Message {
        public NodeStatus {
            Objects.requireNonNull(software, "software");
            Objects.requireNonNull(uptime, "uptime");
            vnodes = List.copyOf(vnodes);
        }
    }

    /** One vnode in a {@link NodeStatus}; {@code predecessor} is null while it has none. */
    public record VnodeStatus(NodeRef self, NodeRef predecessor, List<NodeRef> successors, List<NodeRef> fingers) {
        public VnodeStatus {
            Objects.requireNonNull(self, "self");
            successors = List.copyOf(successors);
            fingers = List.copyOf(fingers);
        }
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
                        (m, out) -> out.id(m.key()).bool(m.refresh()),
                        in -> new Probe(in.id("key"), in.bool("refresh"))),
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
                        in -> new ReportBad(in.id("key"))),
                MessageCodec.of(75, GetStatus.class,
                        (m, out) -> { },
                        in -> new GetStatus()),
                MessageCodec.of(76, NodeStatus.class,
                        DHashMessages::writeStatus,
                        DHashMessages::readStatus),
                MessageCodec.of(77, StoreBlocks.class,
                        DHashMessages::writeBlocks,
                        DHashMessages::readBlocks));
    }

    private static int parts(WireReader in) throws MalformedFrameException {
        int parts = in.u16("parts");
        if (parts < 1 || parts > MAX_PARTS) {
            throw new MalformedFrameException("RangeDigest.parts: " + parts + " is outside 1.." + MAX_PARTS);
        }
        return parts;
    }

    private static void writeStatus(NodeStatus m, WireWriter out) {
        if (m.vnodes().size() > MAX_STATUS_VNODES) {
            throw new IllegalArgumentException("a status of " + m.vnodes().size() + " vnodes exceeds the "
                    + MAX_STATUS_VNODES + "-vnode limit");
        }
        out.utf8(m.software(), MAX_SOFTWARE_BYTES).i64(m.uptime().toMillis()).i64(m.blocks()).i64(m.bytes())
                .i64(m.capacity()).i64(m.cachedBytes()).i64(m.maintenanceRounds())
                .i64(millisOrNone(m.sinceMaintenance())).i64(millisOrNone(m.lastMaintenance()))
                .u16(m.vnodes().size());
        for (VnodeStatus v : m.vnodes()) {
            out.node(v.self()).optionalNode(v.predecessor()).nodes(v.successors()).nodes(v.fingers());
        }
    }

    private static long millisOrNone(Duration d) {
        return d == null ? -1 : d.toMillis();
    }

    private static NodeStatus readStatus(WireReader in) throws MalformedFrameException {
        String software = in.utf8("software", MAX_SOFTWARE_BYTES);
        Duration uptime = Duration.ofMillis(count(in, "uptimeMillis"));
        long blocks = count(in, "blocks");
        long bytes = count(in, "bytes");
        long capacity = count(in, "capacity");
        long cached = count(in, "cachedBytes");
        long rounds = count(in, "maintenanceRounds");
        Duration since = millisOrNone(in, "sinceMaintenanceMillis");
        Duration last = millisOrNone(in, "lastMaintenanceMillis");
        int count = in.u16("vnodeCount");
        if (count > MAX_STATUS_VNODES || (long) count * MIN_VNODE_STATUS_BYTES > in.remaining()) {
            throw new MalformedFrameException("NodeStatus.vnodes: " + count + " vnodes do not fit the "
                    + in.remaining() + " remaining bytes or exceed the " + MAX_STATUS_VNODES + "-vnode limit");
        }
        List<VnodeStatus> vnodes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String at = "vnodes[" + i + "].";
            vnodes.add(new VnodeStatus(in.node(at + "self"), in.optionalNode(at + "predecessor"),
                    in.nodes(at + "successors"), in.nodes(at + "fingers")));
        }
        return new NodeStatus(software, uptime, blocks, bytes, capacity, cached, rounds, since, last, vnodes);
    }

    private static long count(WireReader in, String field) throws MalformedFrameException {
        long value = in.i64(field);
        if (value < 0) {
            throw new MalformedFrameException("NodeStatus." + field + ": " + value + " is negative");
        }
        return value;
    }

    private static Duration millisOrNone(WireReader in, String field) throws MalformedFrameException {
        long value = in.i64(field);
        if (value < -1) {
            throw new MalformedFrameException("NodeStatus." + field + ": " + value + " is neither -1 nor a time");
        }
        return value == -1 ? null : Duration.ofMillis(value);
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

    private static void writeBlocks(StoreBlocks m, WireWriter out) {
        out.u16(m.keys().size());
        for (int i = 0; i < m.keys().size(); i++) {
            out.id(m.keys().get(i)).bytes(m.blocks().get(i));
        }
    }

    private static StoreBlocks readBlocks(WireReader in) throws MalformedFrameException {
        int count = in.u16("count");
        if (count < 1 || count > MAX_BATCH_BLOCKS || (long) count * (Id.BYTES + Integer.BYTES) > in.remaining()) {
            throw new MalformedFrameException("StoreBlocks.count: " + count + " blocks do not fit the "
                    + in.remaining() + " remaining bytes or are outside 1.." + MAX_BATCH_BLOCKS);
        }
        List<Id> keys = new ArrayList<>(count);
        List<byte[]> blocks = new ArrayList<>(count);
        Set<Id> seen = new HashSet<>(count * 2);
        for (int i = 0; i < count; i++) {
            Id key = in.id("keys[" + i + "]");
            if (!seen.add(key)) {
                throw new MalformedFrameException("StoreBlocks.keys[" + i + "]: " + key + " appears twice");
            }
            keys.add(key);
            blocks.add(in.bytes("blocks[" + i + "]", MAX_BLOCK_BYTES));
        }
        return new StoreBlocks(keys, blocks);
    }
}
