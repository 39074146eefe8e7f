package org.cfs.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.cfs.fs.DirEntry;
import org.cfs.fs.EntryKind;
import org.cfs.fs.Snapshot;

/**
 * A directory of a volume as a page a browser (and {@code wget -r}) can follow, or as JSON. Links
 * are relative to the directory's own URL, which always ends in "/".
 */
final class Listing {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Listing() {
    }

    static byte[] json(Snapshot snapshot, String path, List<DirEntry> entries) {
        ObjectNode root = JSON.createObjectNode();
        root.put("volume", snapshot.volume().toHex());
        root.put("version", snapshot.version());
        root.put("path", path);
        ArrayNode list = root.putArray("entries");
        for (DirEntry e : entries) {
            ObjectNode o = list.addObject();
            o.put("name", e.displayName());
            o.put("type", type(e.kind()));
            o.put("size", e.size());
            o.put("mode", String.format("%04o", e.mode() & 07777));
            o.put("mtime", Instant.ofEpochSecond(0, e.mtimeNanos()).toString());
            if (e.ref() != null) {
                o.put("ref", e.ref().toHex());
            }
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a listing did not turn into JSON", e);
        }
    }

    static byte[] html(Snapshot snapshot, String path, List<DirEntry> entries) {
        String title = "cfs " + snapshot.volume().toHex() + "@" + snapshot.version() + " " + escape(path);
        StringBuilder out = new StringBuilder(256 + entries.size() * 160);
        out.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").append(title)
                .append("</title>\n<style>body{font-family:sans-serif}td{padding:0 1em}"
                        + "td.n{text-align:right;font-family:monospace}</style></head>\n<body><h1>")
                .append(title).append("</h1>\n<table>\n<tr><th>name</th><th>size</th><th>modified</th></tr>\n");
        if (!path.equals("/")) {
            out.append("<tr><td><a href=\"../\">../</a></td><td></td><td></td></tr>\n");
        }
        for (DirEntry e : entries) {
            String name = escape(e.displayName()) + (e.isDirectory() ? "/" : "");
            String href = RequestPath.encode(e.name()) + (e.isDirectory() ? "/" : "");
            out.append("<tr><td><a href=\"").append(href).append("\">").append(name).append("</a></td><td class=\"n\">")
                    .append(e.isDirectory() ? "-" : Long.toString(e.size())).append("</td><td>")
                    .append(Instant.ofEpochSecond(0, e.mtimeNanos()).toString()).append("</td></tr>\n");
        }
        out.append("</table>\n</body></html>\n");
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    static String type(EntryKind kind) {
        return switch (kind) {
            case DIRECTORY -> "directory";
            case SYMLINK -> "symlink";
            case INLINE_FILE, CHUNK_FILE, LIST_FILE -> "file";
        };
    }

    /** Text made safe inside HTML elements and double-quoted attributes. */
    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
