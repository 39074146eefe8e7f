/**
 * Simulated rings for tests and experiments: many hosts of the real Chord classes on one
 * {@link org.cfs.chord.sim.SimNetwork}, and the oracle that says what their pointers should be.
 */
package org.cfs.cluster.sim;
