package org.cfs.fs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A path inside a volume: names as bytes, from the root. Empty components and "." are dropped;
 * ".." is refused, since nothing may be read outside the volume.
 */
public record VolumePath(List<byte[]> names) {
    public static final VolumePath ROOT = new VolumePath(List.of());

    public VolumePath {
        names = List.copyOf(names);
    }

    /** Parses "a/b/c" (leading and repeated slashes allowed) as UTF-8. */
    public static VolumePath parse(String path) throws VolumeException {
        return parse(path.getBytes(StandardCharsets.UTF_8));
    }

    public static VolumePath parse(byte[] path) throws VolumeException {
        List<byte[]> names = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= path.length; i++) {
            if (i == path.length || path[i] == '/') {
                byte[] name = Arrays.copyOfRange(path, start, i);
                start = i + 1;
                if (name.length == 0 || Arrays.equals(name, new byte[] {'.'})) {
                    continue;
                }
                if (Arrays.equals(name, new byte[] {'.', '.'})) {
                    throw new VolumeException(VolumeException.Kind.INVALID, "path '" + display(path)
                            + "' contains '..': paths are read inside the volume only");
                }
                if (name.length > Format.MAX_NAME || indexOf(name, (byte) 0) >= 0) {
                    throw new VolumeException(VolumeException.Kind.INVALID, "path '" + display(path)
                            + "' has a name that is too long or contains NUL");
                }
                names.add(name);
            }
        }
        return new VolumePath(names);
    }

    public VolumePath child(byte[] name) {
        List<byte[]> more = new ArrayList<>(names);
        more.add(name);
        return new VolumePath(more);
    }

    public boolean isRoot() {
        return names.isEmpty();
    }

    /** The path for people, "/" for the root. */
    @Override
    public String toString() {
        if (names.isEmpty()) {
            return "/";
        }
        StringBuilder s = new StringBuilder();
        for (byte[] n : names) {
            s.append('/').append(new String(n, StandardCharsets.UTF_8));
        }
        return s.toString();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof VolumePath p) || p.names.size() != names.size()) {
            return false;
        }
        for (int i = 0; i < names.size(); i++) {
            if (!Arrays.equals(names.get(i), p.names.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (byte[] n : names) {
            h = 31 * h + Arrays.hashCode(n);
        }
        return h;
    }

    private static int indexOf(byte[] a, byte b) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static String display(byte[] path) {
        return new String(path, StandardCharsets.UTF_8);
    }
}
