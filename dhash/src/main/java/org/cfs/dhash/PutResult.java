package org.cfs.dhash;

import java.util.List;
import org.cfs.chord.Id;
import org.cfs.chord.NodeRef;

/**
 * Where a put landed: the nodes (one per host) that acknowledged it, and whether that is all of
 * the k replicas. {@code complete == false} means it succeeded with at least the configured
 * minimum, which deserves a warning. {@code bytesSent} counts the encoded block once per copy
 * that had to be sent: 0 when every holder had it already.
 */
public record PutResult(Id key, List<NodeRef> holders, int wanted, boolean complete, long bytesSent) {
    public PutResult {
        holders = List.copyOf(holders);
    }
}
