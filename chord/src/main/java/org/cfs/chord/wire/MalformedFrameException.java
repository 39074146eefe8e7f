package org.cfs.chord.wire;

/**
 * Bytes from a peer that are not a well-formed frame. The message names the field and what was
 * wrong with it, e.g. "StepReply.closer: node list of 2000 entries exceeds the 1024-entry limit",
 * so a logged line is enough to tell a bug from an attack.
 */
public final class MalformedFrameException extends Exception {
    public MalformedFrameException(String message) {
        super(message);
    }
}
