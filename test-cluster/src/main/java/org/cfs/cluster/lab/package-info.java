/**
 * The experiments and benchmarks behind {@code ./lab}: each is a subcommand that prints its figures
 * and, with {@code --json}, one JSON object as the last line. They drive the real protocol classes,
 * on the simulator or on loopback.
 */
package org.cfs.cluster.lab;
