package org.cfs.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cfs.chord.Id;
import org.cfs.dhash.Block;
import org.cfs.dhash.SignedBlock;
import org.junit.jupiter.api.Test;

/**
 * The test vectors of docs/FORMAT.md, read from the doc itself so the two cannot drift: the codecs
 * must produce exactly the doc's bytes and keys, decode them back, and the vectors together must
 * be a volume the reader opens.
 */
class FormatVectorsTest {
    private static final Pattern VECTOR = Pattern.compile("```vector (\\S+)\\n(.*?)```", Pattern.DOTALL);

    /** The doc, found from the module directory (where surefire runs) or the repository root. */
    static Path formatDoc() {
        Path dir = Path.of("").toAbsolutePath();
        for (int up = 0; up < 4 && dir != null; up++, dir = dir.getParent()) {
            Path doc = dir.resolve("docs/FORMAT.md");
            if (Files.isRegularFile(doc)) {
                return doc;
            }
        }
        throw new AssertionError("docs/FORMAT.md not found above " + Path.of("").toAbsolutePath());
    }

    /** Every {@code vector} block of the doc: its key (null if none) and its bytes (empty if not shown). */
    static Map<String, FormatVectors.Vector> parseDoc() throws IOException {
        String text = Files.readString(formatDoc(), StandardCharsets.UTF_8);
        Map<String, FormatVectors.Vector> out = new LinkedHashMap<>();
        Matcher m = VECTOR.matcher(text);
        while (m.find()) {
            Id key = null;
            StringBuilder hex = new StringBuilder();
            for (String line : m.group(2).split("\n")) {
                if (line.startsWith("key:")) {
                    key = Id.fromHex(line.substring(4).strip());
                    continue;
                }
                int comment = line.indexOf('#');
                hex.append((comment < 0 ? line : line.substring(0, comment)).replaceAll("\\s", ""));
            }
            FormatVectors.Vector previous = out.put(m.group(1),
                    new FormatVectors.Vector(HexFormat.of().parseHex(hex), key));
            assertNull(previous, "vector " + m.group(1) + " appears twice in the doc");
        }
        return out;
    }

    @Test
    void theDocHoldsExactlyTheEncodingsOfTheVectorObjects() throws IOException {
        Map<String, FormatVectors.Vector> doc = parseDoc();
        Map<String, FormatVectors.Vector> code = FormatVectors.all();
        assertEquals(List.copyOf(code.keySet()), List.copyOf(doc.keySet()), "vector names, in order");
        for (Map.Entry<String, FormatVectors.Vector> e : code.entrySet()) {
            String name = e.getKey();
            FormatVectors.Vector d = doc.get(name);
            assertEquals(e.getValue().key(), d.key(), name + " key");
            if (name.startsWith("chunk-") && !name.equals("chunk-list")) {
                // Data chunks are described in words in the doc; only their keys are shown.
                assertEquals(0, d.bytes().length, name);
            } else {
                assertEquals(HexFormat.of().formatHex(e.getValue().bytes()), HexFormat.of().formatHex(d.bytes()),
                        name + " bytes");
            }
        }
    }

    @Test
    void theDocsBytesDecodeToTheVectorObjectsAndHashToTheirKeys() throws Exception {
        Map<String, FormatVectors.Vector> doc = parseDoc();
        assertEquals(FormatVectors.LIST, ChunkListCodec.decode(doc.get("chunk-list").bytes()));
        assertEquals(FormatVectors.SUB_LEAF, DirectoryCodec.decode(doc.get("sub-leaf").bytes()));
        assertEquals(FormatVectors.ROOT_LEAF, DirectoryCodec.decode(doc.get("root-leaf").bytes()));
        assertEquals(FormatVectors.BRANCH, DirectoryCodec.decode(doc.get("branch").bytes()));
        assertEquals(FormatVectors.COMMIT_1, Commit.decode(doc.get("commit-1").bytes()));
        assertEquals(FormatVectors.COMMIT_2, Commit.decode(doc.get("commit-2").bytes()));
        assertEquals(FormatVectors.ROOT, VolumeRoot.decode(doc.get("volume-root").bytes()));
        for (Map.Entry<String, FormatVectors.Vector> e : doc.entrySet()) {
            if (e.getValue().bytes().length > 0 && e.getValue().key() != null && !e.getKey().equals("signed-block")) {
                assertEquals(e.getValue().key(), Id.hash(e.getValue().bytes()), e.getKey() + ": key = H(bytes)");
            }
        }

        // The signed block is checked the way a reader checks it: decoded, verified under the
        // doc's key (the volume id) before its expiry, its payload the volume-root vector.
        FormatVectors.Vector s = doc.get("signed-block");
        SignedBlock signed = (SignedBlock) Block.decode(s.bytes(), Block.DEFAULT_MAX_DATA);
        signed.verify(s.key(), HandMadeVolume.NOW_MILLIS, Block.DEFAULT_MAX_DATA);
        assertEquals(Publisher.volumeId(HandMadeVolume.goldenKey(), FormatVectors.LABEL), s.key());
        assertArrayEquals(doc.get("volume-root").bytes(), signed.payload());
        assertEquals(FormatVectors.SEQ, signed.seq());
    }

    @Test
    void theVectorsAreAVolumeTheReaderOpens() throws Exception {
        HandMadeVolume v = new HandMadeVolume(HandMadeVolume.goldenKey(), FormatVectors.LABEL);
        for (Map.Entry<String, FormatVectors.Vector> e : parseDoc().entrySet()) {
            byte[] bytes = e.getValue().bytes();
            switch (e.getKey()) {
                case "chunk-a" -> assertEquals(e.getValue().key(), v.put(FormatVectors.CHUNK_A));
                case "chunk-b" -> assertEquals(e.getValue().key(), v.put(FormatVectors.CHUNK_B));
                case "volume-root" -> assertTrue(bytes.length > 0);
                case "signed-block" -> v.blocks.replace(e.getValue().key(), bytes);
                default -> assertEquals(e.getValue().key(), v.put(bytes));
            }
        }
        Snapshot s = v.open();
        assertEquals(2, s.version());
        assertEquals(FormatVectors.SEQ, s.head().seq());
        assertEquals(List.of("big.bin", "data.bin", "hello.txt", "link", "sub", "x"),
                s.list(VolumePath.ROOT).stream().map(DirEntry::displayName).toList());
        byte[] big = new byte[4000];
        System.arraycopy(FormatVectors.CHUNK_A, 0, big, 0, 3000);
        System.arraycopy(FormatVectors.CHUNK_B, 0, big, 3000, 1000);
        assertArrayEquals(big, read(s, "big.bin"));
        assertArrayEquals(FormatVectors.CHUNK_A, read(s, "data.bin"));
        assertArrayEquals("hello\n".getBytes(StandardCharsets.UTF_8), read(s, "hello.txt"));
        assertArrayEquals("x\n".getBytes(StandardCharsets.UTF_8), read(s, "sub/x"));
        assertArrayEquals("x\n".getBytes(StandardCharsets.UTF_8), read(s, "x"));
        assertArrayEquals("hello.txt".getBytes(StandardCharsets.UTF_8), s.stat(VolumePath.parse("link")).inline());

        Snapshot first = s.previous();
        assertEquals(1, first.version());
        assertEquals("first", first.commit().message());
        assertEquals(5, first.list(VolumePath.ROOT).size());
        assertNotNull(first.stat(VolumePath.parse("sub/x")));
    }

    private static byte[] read(Snapshot s, String path) throws Exception {
        try (InputStream in = s.open(VolumePath.parse(path)).stream(2)) {
            return in.readAllBytes();
        }
    }
}
