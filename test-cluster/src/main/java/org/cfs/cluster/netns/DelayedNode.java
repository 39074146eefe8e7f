package org.cfs.cluster.netns;

import java.util.Arrays;
import org.cfs.cli.Main;

/**
 * Runs {@code cfs node} (or any cfs command) with its transport behind {@link DelayedTransport}:
 * {@code DelayedNode LINK-MODEL node --listen IP:PORT ...}, LINK-MODEL being
 * {@link LinkDelays#spec()}'s form. The test cluster's node processes run this instead of the
 * cfs CLI, which stays as it ships; the jitter and loss of each node are seeded by its address.
 */
public final class DelayedNode {
    private DelayedNode() {
    }

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: DelayedNode LINK-MODEL node --listen IP:PORT [cfs node options]");
            System.exit(2);
        }
        LinkDelays links;
        try {
            links = LinkDelays.parse(args[0]);
        } catch (IllegalArgumentException e) {
            System.err.println("DelayedNode: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(Main.run(Arrays.copyOfRange(args, 1, args.length),
                inner -> new DelayedTransport(inner, inner.local().host(), links, inner.local().host().hashCode())));
    }
}
