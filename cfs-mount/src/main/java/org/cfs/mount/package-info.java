/**
 * The read-only FUSE view of volumes ({@code /mnt/cfs/<volume-id>/...}), reading through
 * {@code org.cfs.fs} with a deadline on every operation. Nothing below this module may depend on it,
 * and it must not depend on {@code org.cfs.cli}. Its content arrives with a later issue.
 */
package org.cfs.mount;
