package org.cfs.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code cfs config}: settings kept in the config directory. One {@code set KEY VALUE} and one
 * {@code get [KEY]}, as git config has, so a new setting is a new key, not a new command.
 */
@Command(name = "config",
        mixinStandardHelpOptions = true,
        description = {
            "Reads and writes settings kept in the config directory (see --config).",
            "Settings: via HOST:PORT, the ring node commands use when not given --via."},
        subcommands = {ConfigSetCommand.class, ConfigGetCommand.class})
final class ConfigCommand implements Runnable {
    /** The settings there are, for the messages that list them. */
    static final String SETTINGS = "via";

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a config command: set or get");
    }

    static ParameterException unknownSetting(CommandSpec spec, String key) {
        return new ParameterException(spec.commandLine(),
                "unknown setting '" + key + "': the settings are: " + SETTINGS);
    }
}
