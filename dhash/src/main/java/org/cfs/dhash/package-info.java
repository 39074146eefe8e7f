/**
 * DHash, the block store on the Chord ring: content-hash and public-key blocks, their validation,
 * k-fold replication on a key's successors, caching on lookup paths, and repair. It builds on
 * {@code org.cfs.chord}'s KBR API only and must not know about files, volumes, FUSE or the command
 * line. Its content arrives with issue 3.
 */
package org.cfs.dhash;
