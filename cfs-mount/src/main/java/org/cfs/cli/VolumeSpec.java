package org.cfs.cli;

import java.util.OptionalLong;
import org.cfs.chord.Id;
import org.cfs.fs.VolumePath;
import org.cfs.fs.VolumeException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * A volume as commands take it, {@code VOL[@N][/PATH]}: VOL is 40 hex digits or an alias, N a
 * version (the newest without it), PATH a path inside the volume (its root without it).
 */
record VolumeSpec(String volume, OptionalLong version, String path) {

    static VolumeSpec parse(CommandSpec spec, String text) {
        int slash = text.indexOf('/');
        String head = slash < 0 ? text : text.substring(0, slash);
        String path = slash < 0 ? "" : text.substring(slash);
        int at = head.indexOf('@');
        String volume = at < 0 ? head : head.substring(0, at);
        if (volume.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "'" + text + "' names no volume: give VOL[@N][/PATH],"
                    + " VOL being 40 hex digits or an alias");
        }
        OptionalLong version = OptionalLong.empty();
        if (at >= 0) {
            String n = head.substring(at + 1);
            if (!n.matches("[1-9][0-9]{0,17}")) {
                throw new ParameterException(spec.commandLine(), "'" + text + "': the version after '@' must be"
                        + " a number from 1, got '" + n + "'");
            }
            version = OptionalLong.of(Long.parseLong(n));
        }
        return new VolumeSpec(volume, version, path);
    }

    /** The volume id, resolving an alias through the config directory. */
    Id id(ConfigDir config) {
        return config.resolveVolume(volume);
    }

    VolumePath volumePath() {
        try {
            return VolumePath.parse(path);
        } catch (VolumeException e) {
            throw new CommandFailedException(e.getMessage(), e);
        }
    }
}
