/**
 * Clusters for tests and experiments: simulated rings, rings of real nodes in one JVM, and the
 * {@code ./lab} entry point. Only tests and benchmarks depend on this module.
 */
package org.cfs.cluster;
