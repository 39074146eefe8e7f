package org.cfs.chord.wire;

/**
 * A wire message: a plain record with a {@link MessageCodec} registered under a type number in a
 * {@link MessageRegistry}. Chord's own messages are in {@link ChordMessages}; layers above add
 * theirs to the registry with type numbers of their own.
 */
public interface Message {
}
