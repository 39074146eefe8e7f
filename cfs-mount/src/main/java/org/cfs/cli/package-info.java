/**
 * The {@code cfs} command (picocli): run a node, inspect a ring, look keys up, and the one-process
 * demo. It is the only place that parses arguments, prints for people and maps failures to exit
 * codes; nothing in the library modules may depend on it.
 */
package org.cfs.cli;
