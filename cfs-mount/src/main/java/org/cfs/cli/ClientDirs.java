package org.cfs.cli;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where the client keeps what is not configuration, after the XDG base directories. State, what
 * it has learnt (the newest version seen of each volume): {@code $XDG_STATE_HOME/cfs}, else
 * {@code ~/.local/state/cfs}. Cache, what it may lose (verified blocks a mount read):
 * {@code $XDG_CACHE_HOME/cfs}, else {@code ~/.cache/cfs}. With {@code --config DIR}, {@code
 * DIR/state} and {@code DIR/cache}, so a separate config is a separate identity in every way.
 */
final class ClientDirs {
    static final String XDG_STATE_HOME = "XDG_STATE_HOME";
    static final String XDG_CACHE_HOME = "XDG_CACHE_HOME";

    private ClientDirs() {
    }

    static Path state(Path explicitConfig, Map<String, String> env) {
        return resolve(explicitConfig, env, "state", XDG_STATE_HOME, Path.of(".local", "state"));
    }

    static Path cache(Path explicitConfig, Map<String, String> env) {
        return resolve(explicitConfig, env, "cache", XDG_CACHE_HOME, Path.of(".cache"));
    }

    private static Path resolve(Path explicitConfig, Map<String, String> env, String underConfig, String variable,
                                Path underHome) {
        if (explicitConfig != null) {
            return explicitConfig.toAbsolutePath().resolve(underConfig);
        }
        String xdg = env.get(variable);
        if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "cfs");
        }
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        return Path.of(home).resolve(underHome).resolve("cfs").toAbsolutePath();
    }
}
