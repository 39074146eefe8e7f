package org.cfs.gateway;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.cfs.fs.FileContent;

/** What the gateway answers to one request, decided on a worker thread, written on the event loop. */
sealed interface Reply {
    HttpResponseStatus status();

    HttpHeaders headers();

    /** A response whose whole body is in memory (an error, a listing, a block, a redirect, a 304). */
    record Whole(HttpResponseStatus status, HttpHeaders headers, byte[] body) implements Reply {
    }

    /** Bytes {@code from} to {@code from + length} of a file, streamed as the client takes them. */
    record Content(HttpResponseStatus status, HttpHeaders headers, FileContent file, long from, long length)
            implements Reply {
    }
}
