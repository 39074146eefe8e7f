/**
 * A real network on one machine for tests and the lab: node processes in network namespaces of
 * their own on a bridge, with per-link delay, jitter and loss added in user space by a decorator of
 * the Netty transport (the kernel here has no netem), and partitions made with blackhole routes.
 * Needs root and iproute2; nothing in the shipped cfs depends on it.
 */
package org.cfs.cluster.netns;
