package org.cfs.cluster;

import org.cfs.cluster.lab.LabCommands;

/** Entry point of {@code ./lab}: experiments and benchmarks, each a subcommand. */
public final class Lab {
    private Lab() {
    }

    public static void main(String[] args) {
        // Experiments print figures; per-node start-up lines would bury them. -D overrides this.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.exit(LabCommands.commandLine().execute(args));
    }
}
