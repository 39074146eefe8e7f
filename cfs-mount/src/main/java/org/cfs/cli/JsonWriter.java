package org.cfs.cli;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Writes one JSON value onto a single line, for the {@code --json} output of commands. Small on
 * purpose: objects, arrays, strings, numbers, booleans and null, with the escaping RFC 8259 needs.
 */
final class JsonWriter {
    private final StringBuilder out = new StringBuilder();
    /** The open objects and arrays, innermost first. */
    private final Deque<Frame> open = new ArrayDeque<>();
    private boolean afterName;

    private static final class Frame {
        final boolean object;
        boolean hasMember;

        Frame(boolean object) {
            this.object = object;
        }
    }

    JsonWriter beginObject() {
        beforeValue();
        out.append('{');
        open.push(new Frame(true));
        return this;
    }

    JsonWriter endObject() {
        return close('}');
    }

    JsonWriter beginArray() {
        beforeValue();
        out.append('[');
        open.push(new Frame(false));
        return this;
    }

    JsonWriter endArray() {
        return close(']');
    }

    /** The name of the next member of the current object. */
    JsonWriter name(String name) {
        if (open.isEmpty() || !open.peek().object || afterName) {
            throw new IllegalStateException("member name '" + name + "' outside an object");
        }
        separate();
        quote(name);
        out.append(':');
        afterName = true;
        return this;
    }

    JsonWriter value(String text) {
        beforeValue();
        if (text == null) {
            out.append("null");
        } else {
            quote(text);
        }
        return this;
    }

    JsonWriter value(long number) {
        beforeValue();
        out.append(number);
        return this;
    }

    JsonWriter value(double number) {
        if (!Double.isFinite(number)) {
            throw new IllegalArgumentException("JSON has no " + number);
        }
        beforeValue();
        out.append(number);
        return this;
    }

    JsonWriter value(boolean flag) {
        beforeValue();
        out.append(flag);
        return this;
    }

    /** The finished document; every object and array must be closed. */
    @Override
    public String toString() {
        if (!open.isEmpty()) {
            throw new IllegalStateException(open.size() + " object(s) or array(s) still open");
        }
        return out.toString();
    }

    private JsonWriter close(char bracket) {
        if (open.isEmpty() || open.peek().object != (bracket == '}') || afterName) {
            throw new IllegalStateException("'" + bracket + "' does not close what is open");
        }
        open.pop();
        out.append(bracket);
        return this;
    }

    private void beforeValue() {
        if (afterName) {
            afterName = false;
            return;
        }
        if (!open.isEmpty()) {
            if (open.peek().object) {
                throw new IllegalStateException("a value inside an object needs a member name first");
            }
            separate();
        } else if (out.length() > 0) {
            throw new IllegalStateException("a JSON document holds one top-level value");
        }
    }

    private void separate() {
        Frame frame = open.peek();
        if (frame.hasMember) {
            out.append(',');
        }
        frame.hasMember = true;
    }

    private void quote(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
