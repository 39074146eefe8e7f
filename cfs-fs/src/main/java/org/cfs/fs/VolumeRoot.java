package org.cfs.fs;

import org.cfs.chord.Id;

/**
 * The payload of a volume's signed block: which commit is the current version. The signed
 * block's sequence number counts signings, not versions: a refresh re-signs the same version
 * with a new expiry, and DHash keeps only the highest sequence, so the refresh must outrank it.
 *
 * <pre>
 * volume = 'V' format:u8=1 commit:20 version:u64
 * </pre>
 *
 * The commit must carry the same version number.
 */
record VolumeRoot(Id commit, long version) {
    static final int BYTES = 2 + Id.BYTES + 8;

    byte[] encode() {
        return new Encoder(BYTES).u8(Format.VOLUME_MAGIC).u8(Format.VERSION).id(commit).i64(version).toByteArray();
    }

    static VolumeRoot decode(byte[] payload) throws CorruptBlockException {
        Decoder in = new Decoder(payload);
        in.header(Format.VOLUME_MAGIC, "volume root");
        Id commit = in.id("commit");
        long version = in.u63("version");
        if (version < 1) {
            throw new CorruptBlockException("volume root names version 0; versions start at 1");
        }
        in.end("volume root");
        return new VolumeRoot(commit, version);
    }
}
