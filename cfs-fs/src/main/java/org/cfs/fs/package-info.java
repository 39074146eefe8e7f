/**
 * The file system format on DHash: a signed volume root naming directory blocks, inodes and data
 * chunks, with the publisher that writes a tree and the reader that verifies every block it reads.
 * It depends on {@code org.cfs.dhash} and must not know about FUSE or the command line. Its content
 * arrives with a later issue.
 */
package org.cfs.fs;
