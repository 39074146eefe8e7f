/**
 * The {@code cfs} command (picocli): run a node, inspect a ring, look keys up, the one-process
 * demo, and the signing keys, volume aliases and settings kept in the config directory
 * ({@code ConfigDir}). It is the only place that parses arguments, prints for people and maps
 * failures to exit codes; nothing in the library modules may depend on it.
 */
package org.cfs.cli;
