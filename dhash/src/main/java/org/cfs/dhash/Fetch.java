package org.cfs.dhash;

import org.cfs.chord.NodeRef;

/**
 * A verified block and how it was found: the node that served it, whether from that node's path
 * cache, and the hops of the lookup that led there.
 */
public record Fetch(Block block, NodeRef servedBy, boolean fromCache, int hops) {
}
