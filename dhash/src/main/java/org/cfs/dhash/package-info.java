/**
 * DHash, the block store on the Chord ring. Blocks ({@link org.cfs.dhash.Block}: content-hash
 * {@link org.cfs.dhash.ContentBlock}s and Ed25519-signed {@link org.cfs.dhash.SignedBlock}s)
 * encode, decode and verify themselves; a {@link org.cfs.dhash.BlockStore} keeps a node's blocks
 * durably (RocksDB on disk, or in memory for the simulator) with per-source quotas; the server and
 * client built on them keep k replicas on a key's successors, cache blocks on lookup paths, and
 * repair.
 *
 * <p>It builds on {@code org.cfs.chord}'s KBR API only and must not know about files, volumes,
 * FUSE or the command line.
 */
package org.cfs.dhash;
