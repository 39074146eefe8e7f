package org.cfs.fs;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import org.cfs.chord.Id;

/**
 * What a volume's signed block says: who signed it, which version is current and until when.
 *
 * @param volume the volume id, H(publicKey || label)
 * @param seq the signing sequence number (it grows with every publish and refresh)
 * @param version the current version
 * @param commit the key of that version's commit block
 * @param publicKey the publisher's Ed25519 public key
 * @param label the label the volume was published under
 * @param expiresAtMillis when readers stop accepting this signature, Unix milliseconds
 */
public record VolumeHead(Id volume, long seq, long version, Id commit, byte[] publicKey, byte[] label,
                         long expiresAtMillis) {
    public VolumeHead {
        Objects.requireNonNull(volume, "volume");
        Objects.requireNonNull(commit, "commit");
    }

    public String publicKeyHex() {
        return HexFormat.of().formatHex(publicKey);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VolumeHead h && seq == h.seq && version == h.version && expiresAtMillis == h.expiresAtMillis
                && volume.equals(h.volume) && commit.equals(h.commit) && Arrays.equals(publicKey, h.publicKey)
                && Arrays.equals(label, h.label);
    }

    @Override
    public int hashCode() {
        return Objects.hash(volume, seq, version, commit, Arrays.hashCode(publicKey), Arrays.hashCode(label));
    }
}
