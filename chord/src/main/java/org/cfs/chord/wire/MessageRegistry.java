package org.cfs.chord.wire;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The message types a host speaks: type number to codec and message class to codec. Immutable;
 * layers above Chord start from {@link #chord()}{@code .toBuilder()} and add their own types.
 *
 * <p>Numbering: Chord's messages use 1..9 and numbers below 64 are reserved for Chord; other
 * layers take numbers of their own from 64 up (DHash from 100, say). Type 0 is never a message:
 * error frames carry it.
 */
public final class MessageRegistry {
    private static final MessageRegistry CHORD = builder().addAll(ChordCodecs.all()).build();

    private final Map<Integer, MessageCodec<?>> byType;
    private final Map<Class<?>, MessageCodec<?>> byClass;

    private MessageRegistry(Map<Integer, MessageCodec<?>> byType, Map<Class<?>, MessageCodec<?>> byClass) {
        this.byType = Map.copyOf(byType);
        this.byClass = Map.copyOf(byClass);
    }

    /** All of {@link ChordMessages}. */
    public static MessageRegistry chord() {
        return CHORD;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this registry's codecs, to extend it. */
    public Builder toBuilder() {
        Builder builder = new Builder();
        byType.values().forEach(builder::add);
        return builder;
    }

    /** True if messages of exactly this class can be sent. */
    public boolean supports(Class<? extends Message> messageClass) {
        return byClass.containsKey(messageClass);
    }

    /** The codec for a type number, or null. */
    MessageCodec<?> codec(int type) {
        return byType.get(type);
    }

    /** The codec for a message's class; refuses a class nobody registered. */
    MessageCodec<?> codecFor(Message message) {
        MessageCodec<?> codec = byClass.get(message.getClass());
        if (codec == null) {
            throw new IllegalArgumentException("message class " + message.getClass().getName()
                    + " is not registered; known types: " + this);
        }
        return codec;
    }

    @Override
    public String toString() {
        return new TreeMap<>(byType).values().toString();
    }

    /** Collects codecs; refuses a second codec for a type number or a message class. */
    public static final class Builder {
        private final Map<Integer, MessageCodec<?>> byType = new HashMap<>();
        private final Map<Class<?>, MessageCodec<?>> byClass = new HashMap<>();

        private Builder() {
        }

        public Builder add(MessageCodec<?> codec) {
            Objects.requireNonNull(codec, "codec");
            int type = codec.type();
            if (type < 1 || type > 0xffff) {
                throw new IllegalArgumentException("message type " + type + " of " + codec
                        + " is outside 1..65535");
            }
            Objects.requireNonNull(codec.messageClass(), "messageClass of codec for type " + type);
            MessageCodec<?> sameType = byType.get(type);
            if (sameType != null) {
                throw new IllegalArgumentException("message type " + type + " is already taken by "
                        + sameType + ", cannot add " + codec);
            }
            MessageCodec<?> sameClass = byClass.get(codec.messageClass());
            if (sameClass != null) {
                throw new IllegalArgumentException(codec.messageClass().getName()
                        + " already has codec " + sameClass + ", cannot add " + codec);
            }
            byType.put(type, codec);
            byClass.put(codec.messageClass(), codec);
            return this;
        }

        public Builder addAll(Iterable<? extends MessageCodec<?>> codecs) {
            codecs.forEach(this::add);
            return this;
        }

        /** An immutable registry; the builder may go on being used. */
        public MessageRegistry build() {
            return new MessageRegistry(byType, byClass);
        }
    }
}
