package org.cfs.gateway;

import java.net.FileNameMap;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * A file's Content-Type from its name: the JDK's table of types, with the web types it lacks, and
 * {@code application/octet-stream} for anything else.
 */
final class ContentTypes {
    static final String OCTETS = "application/octet-stream";
    /** Types the JDK's table does not know, by extension. */
    private static final Map<String, String> MORE = Map.ofEntries(
            Map.entry("css", "text/css"),
            Map.entry("js", "text/javascript"),
            Map.entry("mjs", "text/javascript"),
            Map.entry("json", "application/json"),
            Map.entry("md", "text/markdown"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("wasm", "application/wasm"),
            Map.entry("webp", "image/webp"),
            Map.entry("woff2", "font/woff2"),
            Map.entry("java", "text/plain"),
            Map.entry("sh", "text/plain"),
            Map.entry("py", "text/plain"),
            Map.entry("gz", "application/gzip"),
            Map.entry("tgz", "application/gzip"),
            Map.entry("pdf", "application/pdf"));
    private static final FileNameMap JDK = URLConnection.getFileNameMap();

    private ContentTypes() {
    }

    static String of(byte[] name) {
        String n = new String(name, StandardCharsets.UTF_8);
        int dot = n.lastIndexOf('.');
        String type = null;
        if (dot > 0 && dot < n.length() - 1) {
            type = MORE.get(n.substring(dot + 1).toLowerCase(Locale.ROOT));
        }
        if (type == null) {
            type = JDK.getContentTypeFor(n);
        }
        if (type == null) {
            return OCTETS;
        }
        return type.startsWith("text/") ? type + "; charset=utf-8" : type;
    }
}
