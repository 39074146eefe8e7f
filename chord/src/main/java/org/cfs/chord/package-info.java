/**
 * The Chord ring: 160-bit ids, vnodes with successor lists, predecessors and fingers kept right by
 * Zave's corrected maintenance, iterative lookups, and the KBR API ({@link org.cfs.chord.ChordNode})
 * that layers above build on. Protocol code takes a {@link org.cfs.chord.Scheduler} and a
 * {@link org.cfs.chord.Transport} and so runs unchanged on Netty or in the simulator.
 *
 * <p>Nothing here knows about blocks or files.
 */
package org.cfs.chord;
