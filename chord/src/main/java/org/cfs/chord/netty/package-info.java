/**
 * The TCP transport for real nodes: {@link org.cfs.chord.netty.NettyTransport} carries
 * {@link org.cfs.chord.wire.FrameCodec} frames over one multiplexed connection per peer, matches
 * replies to requests, and enforces timeouts. Bad input from a peer closes that connection only.
 *
 * <p>Only this package may depend on Netty; protocol code sees nothing but
 * {@link org.cfs.chord.Transport}, so the simulator can run the same code without sockets.
 */
package org.cfs.chord.netty;
