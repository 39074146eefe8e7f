package org.cfs.gateway;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.cfs.chord.Id;
import org.cfs.dhash.Block;
import org.cfs.dhash.ContentBlock;
import org.cfs.fs.DirEntry;
import org.cfs.fs.FileContent;
import org.cfs.fs.Snapshot;
import org.cfs.fs.VolumeException;
import org.cfs.fs.VolumePath;
import org.cfs.fs.VolumeSnapshots;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides the reply to one request: parses its path, resolves it in a volume or fetches a block,
 * and maps every failure to a status with a one-line body. Blocking: runs on a worker thread, and
 * everything one request reads waits at most the volumes' timeout in all.
 */
final class Resolver {
    private static final Logger log = LoggerFactory.getLogger(Resolver.class);
    static final String IMMUTABLE = "public, max-age=31536000, immutable";
    private static final byte[] INDEX = "index.html".getBytes(StandardCharsets.US_ASCII);
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private final VolumeSnapshots snapshots;
    private final Function<String, Optional<Id>> aliases;
    private final String newestCacheControl;
    private final Gateway.Pages pages;

    /**
     * @param aliases volume names other than ids that {@code /v/NAME} accepts
     * @param refresh how often the newest version is looked up again: the max-age of what it serves
     */
    Resolver(VolumeSnapshots snapshots, Function<String, Optional<Id>> aliases, Gateway.Pages pages, Duration refresh) {
        this.snapshots = snapshots;
        this.aliases = aliases;
        this.pages = pages;
        this.newestCacheControl = "public, max-age=" + Math.max(1, refresh.toSeconds());
    }

    Reply resolve(HttpRequest request) {
        try {
            RequestPath path = RequestPath.parse(request.uri());
            List<byte[]> names = path.names();
            String top = names.isEmpty() ? "" : ascii(names.get(0));
            if (top.equals("v") && names.size() >= 2) {
                return volume(request, path);
            }
            if (top.equals("block") && names.size() == 2) {
                return block(ascii(names.get(1)));
            }
            Optional<Gateway.Page> page = pages.page(RequestPath.encode(names));
            if (page.isPresent()) {
                HttpHeaders headers = new DefaultHttpHeaders().set(HttpHeaderNames.CONTENT_TYPE, page.get().contentType())
                        .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
                return new Reply.Whole(HttpResponseStatus.OK, headers, page.get().body());
            }
            if (names.isEmpty()) {
                return home();
            }
            return error(HttpResponseStatus.NOT_FOUND, "nothing at " + request.uri()
                    + "; the gateway serves /v/VOL[@N]/PATH and /block/KEY");
        } catch (RequestPath.Invalid e) {
            return error(HttpResponseStatus.BAD_REQUEST, e.getMessage());
        } catch (VolumeException e) {
            return failure(request, e);
        } catch (RuntimeException e) {
            log.warn("{} {}: {}", request.method(), request.uri(), e.toString(), e);
            return error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: " + e);
        }
    }

    private Reply volume(HttpRequest request, RequestPath path) throws VolumeException {
        List<byte[]> names = path.names();
        String spec = ascii(names.get(1));
        int at = spec.lastIndexOf('@');
        String name = at < 0 ? spec : spec.substring(0, at);
        Optional<Id> id = Id.isHex(name) ? Optional.of(Id.fromHex(name)) : aliases.apply(name);
        if (id.isEmpty()) {
            return error(HttpResponseStatus.NOT_FOUND, "no volume named '" + name
                    + "': give a volume id (40 hex digits) or an alias of this gateway");
        }
        long version = 0;
        if (at >= 0) {
            String number = spec.substring(at + 1);
            if (number.isEmpty() || number.length() > 18 || !number.chars().allMatch(c -> c >= '0' && c <= '9')
                    || (version = Long.parseLong(number)) < 1) {
                return error(HttpResponseStatus.NOT_FOUND, "no version '" + number + "': versions are numbers from 1");
            }
        }
        String base = "/v/" + RequestPath.encode(names.get(1));
        VolumePath inVolume = new VolumePath(path.from(2));
        long pinned = version;
        return snapshots.volumes().withinTimeout(() -> {
            Snapshot s = pinned == 0 ? snapshots.newest(id.get()) : snapshots.version(id.get(), pinned);
            DirEntry entry = inVolume.isRoot() ? s.root() : s.stat(inVolume);
            HttpHeaders headers = new DefaultHttpHeaders()
                    .set(HttpHeaderNames.CACHE_CONTROL, pinned == 0 ? newestCacheControl : IMMUTABLE)
                    .set("X-Cfs-Volume", s.volume().toHex())
                    .set("X-Cfs-Version", s.version());
            return switch (entry.kind()) {
                case DIRECTORY -> directory(request, path, s, base, inVolume, entry, headers);
                case SYMLINK -> symlink(base, inVolume, entry);
                case INLINE_FILE, CHUNK_FILE, LIST_FILE -> file(request, s, inVolume, entry, headers);
            };
        });
    }

    private Reply directory(HttpRequest request, RequestPath path, Snapshot s, String base, VolumePath dir,
            DirEntry entry, HttpHeaders headers) throws VolumeException {
        if (!path.trailingSlash()) {
            // Relative links in the listing resolve against the directory only when its URL ends in "/".
            return redirect(HttpResponseStatus.MOVED_PERMANENTLY, base + (dir.isRoot() ? "" : RequestPath.encode(dir.names())) + "/");
        }
        List<DirEntry> entries = s.list(dir);
        for (DirEntry e : entries) {
            if (Arrays.equals(e.name(), INDEX) && e.kind().isFile()) {
                return file(request, s, dir.child(INDEX), e, headers);
            }
        }
        boolean json = accepts(request, "application/json");
        byte[] body = json ? Listing.json(s, dir.toString(), entries) : Listing.html(s, dir.toString(), entries);
        headers.set(HttpHeaderNames.CONTENT_TYPE, json ? "application/json" : "text/html; charset=utf-8")
                .set(HttpHeaderNames.VARY, HttpHeaderNames.ACCEPT)
                .set(HttpHeaderNames.ETAG, etag(entry.ref(), json ? "json" : "html"));
        if (matches(request.headers().get(HttpHeaderNames.IF_NONE_MATCH), headers.get(HttpHeaderNames.ETAG))) {
            return new Reply.Whole(HttpResponseStatus.NOT_MODIFIED, headers, new byte[0]);
        }
        return new Reply.Whole(HttpResponseStatus.OK, headers, body);
    }

    /**
     * A symlink is a redirect to its target when the target stays inside the volume (resolved by
     * name, as the link's directory would resolve it); anything else is not served.
     */
    private Reply symlink(String base, VolumePath link, DirEntry entry) {
        byte[] target = entry.inline();
        String shown = new String(target, StandardCharsets.UTF_8);
        if (target.length == 0 || target[0] == '/') {
            return error(HttpResponseStatus.NOT_FOUND, link + " is a symlink to " + shown + ", outside the volume");
        }
        List<byte[]> resolved = new ArrayList<>(link.names().subList(0, link.names().size() - 1));
        for (String part : shown.split("/", -1)) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (resolved.isEmpty()) {
                    return error(HttpResponseStatus.NOT_FOUND, link + " is a symlink to " + shown + ", outside the volume");
                }
                resolved.remove(resolved.size() - 1);
            } else {
                resolved.add(part.getBytes(StandardCharsets.UTF_8));
            }
        }
        String location = base + RequestPath.encode(resolved) + (shown.endsWith("/") && !resolved.isEmpty() ? "/" : "");
        return redirect(HttpResponseStatus.FOUND, location);
    }

    private Reply file(HttpRequest request, Snapshot s, VolumePath path, DirEntry entry, HttpHeaders headers)
            throws VolumeException {
        String etag = etag(entry.ref() != null ? entry.ref() : Id.hash(entry.inline()), null);
        byte[] name = path.isRoot() ? new byte[0] : path.names().get(path.names().size() - 1);
        headers.set(HttpHeaderNames.ETAG, etag)
                .set(HttpHeaderNames.CONTENT_TYPE, ContentTypes.of(name))
                .set(HttpHeaderNames.ACCEPT_RANGES, "bytes")
                .set(HttpHeaderNames.LAST_MODIFIED, HTTP_DATE.format(Instant.ofEpochSecond(0, entry.mtimeNanos())));
        if (matches(request.headers().get(HttpHeaderNames.IF_NONE_MATCH), etag)) {
            return new Reply.Whole(HttpResponseStatus.NOT_MODIFIED, headers, new byte[0]);
        }
        FileContent content = s.open(path, entry);
        String ifRange = request.headers().get(HttpHeaderNames.IF_RANGE);
        ByteRange.Asked asked = ifRange != null && !ifRange.equals(etag) ? new ByteRange.Whole()
                : ByteRange.parse(request.headers().get(HttpHeaderNames.RANGE), content.size());
        if (asked instanceof ByteRange.Part part) {
            headers.set(HttpHeaderNames.CONTENT_RANGE, part.range().contentRange(content.size()));
            return new Reply.Content(HttpResponseStatus.PARTIAL_CONTENT, headers, content, part.range().first(),
                    part.range().length());
        }
        if (asked instanceof ByteRange.Unsatisfiable) {
            headers.set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + content.size());
            return new Reply.Whole(HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE, headers, new byte[0]);
        }
        return new Reply.Content(HttpResponseStatus.OK, headers, content, 0, content.size());
    }

    private Reply block(String keyText) throws VolumeException {
        if (!Id.isHex(keyText)) {
            return error(HttpResponseStatus.BAD_REQUEST, "'" + keyText + "' is not a block key (40 hex digits)");
        }
        Id key = Id.fromHex(keyText);
        Block block;
        try {
            block = snapshots.volumes().block(key);
        } catch (VolumeException e) {
            if (e.kind() == VolumeException.Kind.MISSING_BLOCK) {
                return error(HttpResponseStatus.NOT_FOUND, "no block " + keyText + " on the ring");
            }
            throw e;
        }
        HttpHeaders headers = new DefaultHttpHeaders().set(HttpHeaderNames.CONTENT_TYPE, ContentTypes.OCTETS);
        byte[] body;
        if (block instanceof ContentBlock content) {
            // Its data, whose SHA-256 begins with the key: never changes.
            body = content.data();
            headers.set("X-Cfs-Block-Type", "content").set(HttpHeaderNames.CACHE_CONTROL, IMMUTABLE)
                    .set(HttpHeaderNames.ETAG, etag(key, null));
        } else {
            // The whole signed block (key, sequence number, expiry, payload, signature), so a client
            // can check the signature itself; a newer one may replace it.
            body = block.encode();
            headers.set("X-Cfs-Block-Type", "signed").set(HttpHeaderNames.CACHE_CONTROL, newestCacheControl);
        }
        return new Reply.Whole(HttpResponseStatus.OK, headers, body);
    }

    private static Reply home() {
        String page = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>cfs gateway</title></head><body>"
                + "<h1>cfs gateway</h1><p>Files: <code>/v/VOLUME[@VERSION]/PATH</code>. Blocks: "
                + "<code>/block/KEY</code>.</p></body></html>\n";
        HttpHeaders headers = new DefaultHttpHeaders().set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        return new Reply.Whole(HttpResponseStatus.OK, headers, page.getBytes(StandardCharsets.UTF_8));
    }

    private Reply failure(HttpRequest request, VolumeException e) {
        HttpResponseStatus status = switch (e.kind()) {
            case UNKNOWN_VOLUME, NO_SUCH_VERSION, NO_SUCH_PATH, NOT_A_DIRECTORY, NOT_A_FILE -> HttpResponseStatus.NOT_FOUND;
            case EXPIRED -> HttpResponseStatus.GONE;
            case INVALID -> HttpResponseStatus.BAD_REQUEST;
            case MISSING_BLOCK, CORRUPT, ROLLBACK -> HttpResponseStatus.BAD_GATEWAY;
            case UNAVAILABLE -> timedOut(e) ? HttpResponseStatus.GATEWAY_TIMEOUT : HttpResponseStatus.BAD_GATEWAY;
            case IO -> HttpResponseStatus.INTERNAL_SERVER_ERROR;
        };
        if (status.code() >= 500) {
            log.warn("{} {}: {} {}", request.method(), request.uri(), status.code(), e.getMessage());
        }
        return error(status, e.getMessage());
    }

    private static boolean timedOut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    static Reply error(HttpResponseStatus status, String message) {
        HttpHeaders headers = new DefaultHttpHeaders().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return new Reply.Whole(status, headers, (message.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static Reply redirect(HttpResponseStatus status, String location) {
        HttpHeaders headers = new DefaultHttpHeaders().set(HttpHeaderNames.LOCATION, location)
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        return new Reply.Whole(status, headers, ("see " + location + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static String etag(Id ref, String variant) {
        return "\"" + ref.toHex() + (variant == null ? "" : "-" + variant) + "\"";
    }

    /** Whether an If-None-Match value names {@code etag} (or is "*"); weak tags compare equal too. */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String tag : ifNoneMatch.split(",")) {
            String t = tag.trim();
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.equals("*") || t.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    private static boolean accepts(HttpRequest request, String type) {
        String accept = request.headers().get(HttpHeaderNames.ACCEPT);
        return accept != null && accept.contains(type);
    }

    private static String ascii(byte[] name) {
        return new String(name, StandardCharsets.ISO_8859_1);
    }
}
