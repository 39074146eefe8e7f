/**
 * The binary wire format: length-prefixed frames ({@link org.cfs.chord.wire.FrameCodec}), the
 * per-message codecs ({@link org.cfs.chord.wire.MessageCodec}) and the registry that maps type
 * numbers to them. Every decoder here checks each length against the bytes that remain before it
 * allocates, and vets every node entry against its address.
 *
 * <p>Pure byte arrays in and out: this package must not depend on Netty, sockets or threads, so
 * the in-memory transport, fuzz tests and other layers' codecs can use it as is.
 */
package org.cfs.chord.wire;
