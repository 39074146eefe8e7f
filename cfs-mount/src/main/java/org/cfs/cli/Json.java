package org.cfs.cli;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.databind.util.NameTransformer;
import java.io.IOException;
import org.cfs.chord.ByteSize;
import org.cfs.chord.Endpoint;
import org.cfs.chord.Id;
import org.cfs.chord.NodeRef;
import org.cfs.dhash.BlockStat;

/**
 * The one ObjectMapper of the cfs command, so every {@code --json} line spells the ring's types
 * the same way: an id as 40 hex digits, an endpoint as "host:port", a size as its number of
 * bytes, a node as {@code {"id","host","port","vnode"}}. Reports are records serialised as they are; a component
 * added to one appears in its JSON with no more code.
 */
final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new SimpleModule("cfs-ring")
                    .addSerializer(Id.class, ToStringSerializer.instance)
                    .addSerializer(Endpoint.class, ToStringSerializer.instance)
                    .addSerializer(ByteSize.class, new ByteCount())
                    .addSerializer(NodeRef.class, new NodeRefSerializer(null))
                    .setMixInAnnotation(BlockStat.Holder.class, HolderFields.class))
            .build();

    private Json() {
    }

    /** {@code value} as one line of JSON. */
    static String line(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            // Reports hold only values the mapper is configured for, so this is a bug, not input.
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    /** {@code value} as a JSON tree, to which a caller may add fields. */
    static com.fasterxml.jackson.databind.node.ObjectNode tree(Object value) {
        return MAPPER.valueToTree(value);
    }

    /**
     * A node's fields, as an object of its own or, where a report unwraps it, among the fields
     * of what holds it (a block holder is the node's fields then what it said).
     */
    private static final class NodeRefSerializer extends StdSerializer<NodeRef> {
        /** Null when a node is an object of its own; else how unwrapping names the fields. */
        private final NameTransformer unwrapped;

        NodeRefSerializer(NameTransformer unwrapped) {
            super(NodeRef.class);
            this.unwrapped = unwrapped;
        }

        @Override
        public void serialize(NodeRef node, JsonGenerator out, SerializerProvider provider) throws IOException {
            NameTransformer names = unwrapped == null ? NameTransformer.NOP : unwrapped;
            if (unwrapped == null) {
                out.writeStartObject(node);
            }
            out.writeStringField(names.transform("id"), node.id().toHex());
            out.writeStringField(names.transform("host"), node.endpoint().host());
            out.writeNumberField(names.transform("port"), node.endpoint().port());
            out.writeNumberField(names.transform("vnode"), node.vnode());
            if (unwrapped == null) {
                out.writeEndObject();
            }
        }

        @Override
        public boolean isUnwrappingSerializer() {
            return unwrapped != null;
        }

        @Override
        public JsonSerializer<NodeRef> unwrappingSerializer(NameTransformer names) {
            return new NodeRefSerializer(names);
        }
    }

    /** A size for scripts: the exact count, not "1.2 GiB". */
    private static final class ByteCount extends StdSerializer<ByteSize> {
        ByteCount() {
            super(ByteSize.class);
        }

        @Override
        public void serialize(ByteSize size, JsonGenerator out, SerializerProvider provider) throws IOException {
            out.writeNumber(size.bytes());
        }
    }

    /** Puts a holder's node fields beside its answer, as {@code block stat --json} always has. */
    private abstract static class HolderFields {
        @JsonUnwrapped
        abstract NodeRef node();
    }
}
