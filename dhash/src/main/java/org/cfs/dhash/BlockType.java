package org.cfs.dhash;

/** The two kinds of block, numbered as in the first byte of an encoded block. */
public enum BlockType {
    /** Content-hash block: immutable, named by the hash of its data. */
    CHASH(1),
    /** Public-key block: named by a public key and a label, replaced by higher sequence numbers. */
    PKEY(2);

    private final int code;

    BlockType(int code) {
        this.code = code;
    }

    /** The type byte that starts an encoded block of this type. */
    public int code() {
        return code;
    }
}
