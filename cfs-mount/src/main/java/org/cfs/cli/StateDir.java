package org.cfs.cli;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where the client keeps what it has learnt (the newest version seen of each volume):
 * {@code $XDG_STATE_HOME/cfs}, else {@code ~/.local/state/cfs}; with {@code --config DIR},
 * {@code DIR/state}, so a separate config is a separate identity in every way.
 */
final class StateDir {
    static final String XDG_STATE_HOME = "XDG_STATE_HOME";

    private StateDir() {
    }

    static Path resolve(Path explicitConfig, Map<String, String> env) {
        if (explicitConfig != null) {
            return explicitConfig.toAbsolutePath().resolve("state");
        }
        String xdg = env.get(XDG_STATE_HOME);
        if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "cfs");
        }
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        return Path.of(home, ".local", "state", "cfs").toAbsolutePath();
    }
}
