package org.cfs.chord.netty;

/**
 * What {@link FrameDecoder} passes on instead of a frame when the bytes are not one; the handler
 * after it logs the reason once and closes the connection.
 */
record Malformed(String reason) {
}
