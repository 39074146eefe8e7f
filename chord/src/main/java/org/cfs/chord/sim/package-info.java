/**
 * The in-memory network on virtual time: a seeded event queue and a {@link org.cfs.chord.Transport}
 * with per-link latency, loss and crashes. The real protocol classes run on it unchanged; nothing
 * here may read the wall clock or open a socket.
 */
package org.cfs.chord.sim;
