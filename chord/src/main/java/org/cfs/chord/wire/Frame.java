package org.cfs.chord.wire;

import java.util.Objects;

/**
 * One unit on a connection: a request, the reply to one, or an error reply. Replies carry the
 * request id of the request they answer; ids mean something only on the connection they came on.
 */
public sealed interface Frame {

    long requestId();

    Kind kind();

    /** The frame kinds and their byte on the wire. */
    enum Kind {
        REQUEST,
        RESPONSE,
        ERROR;

        /** The kind's byte: its position in this enum, which is therefore part of the format. */
        int code() {
            return ordinal();
        }

        /** The kind with this byte, or null. */
        static Kind of(int code) {
            Kind[] kinds = values();
            return code < kinds.length ? kinds[code] : null;
        }
    }

    record Request(long requestId, Message message) implements Frame {
        public Request {
            Objects.requireNonNull(message, "message");
        }

        @Override
        public Kind kind() {
            return Kind.REQUEST;
        }
    }

    record Response(long requestId, Message message) implements Frame {
        public Response {
            Objects.requireNonNull(message, "message");
        }

        @Override
        public Kind kind() {
            return Kind.RESPONSE;
        }
    }

    /** The request failed at the peer: a {@link org.cfs.chord.RemoteException} code and text. */
    record ErrorReply(long requestId, int code, String text) implements Frame {
        public ErrorReply {
            Objects.requireNonNull(text, "text");
        }

        @Override
        public Kind kind() {
            return Kind.ERROR;
        }
    }
}
