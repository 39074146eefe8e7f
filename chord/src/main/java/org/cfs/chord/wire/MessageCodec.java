package org.cfs.chord.wire;

import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * Encodes and decodes the body of one message type. A codec is registered in a
 * {@link MessageRegistry} under its {@link #type()} number, which travels in the frame header.
 * {@link #decode} reads untrusted bytes: it must use only {@link WireReader}'s checked reads and
 * may throw only {@link MalformedFrameException} (an {@link IllegalArgumentException} from a
 * message's constructor is also reported as a malformed frame).
 */
public interface MessageCodec<M extends Message> {

    /** The type number, 1..65535; unique within a registry. */
    int type();

    /** The exact class of the messages this codec handles. */
    Class<M> messageClass();

    void encode(M message, WireWriter out);

    M decode(WireReader in) throws MalformedFrameException;

    /** A codec made of an encoding and a decoding function. */
    static <M extends Message> MessageCodec<M> of(int type, Class<M> messageClass,
            BiConsumer<? super M, WireWriter> encoder, Decoder<? extends M> decoder) {
        Objects.requireNonNull(messageClass, "messageClass");
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(decoder, "decoder");
        return new MessageCodec<>() {
            @Override
            public int type() {
                return type;
            }

            @Override
            public Class<M> messageClass() {
                return messageClass;
            }

            @Override
            public void encode(M message, WireWriter out) {
                encoder.accept(message, out);
            }

            @Override
            public M decode(WireReader in) throws MalformedFrameException {
                return decoder.decode(in);
            }

            @Override
            public String toString() {
                return messageClass.getSimpleName() + "#" + type;
            }
        };
    }

    /** The decoding half of {@link #of}: reads one message body. */
    @FunctionalInterface
    interface Decoder<M> {
        M decode(WireReader in) throws MalformedFrameException;
    }
}
