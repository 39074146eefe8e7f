/**
 * The HTTP gateway: volumes and raw blocks over HTTP, for browsers, {@code curl} and HTTP caches.
 * {@link org.cfs.gateway.Gateway} is the whole public surface; it serves
 * <pre>
 * GET|HEAD /v/VOL[@N]/PATH   a file (Range, ETag, If-None-Match), a directory listing
 *                            (HTML, or JSON for Accept: application/json), or index.html
 * GET|HEAD /block/KEY        a block's checkable bytes: a content block's data (its SHA-256
 *                            prefix is KEY), a signed block's encoding
 * </pre>
 * Requests are parsed by Netty's HTTP codec; each is resolved on a worker thread against the
 * volumes (one deadline per request), and a file's body is pumped a piece at a time, only while
 * the client's socket takes it, so a slow client holds no thread and little memory.
 */
package org.cfs.gateway;
