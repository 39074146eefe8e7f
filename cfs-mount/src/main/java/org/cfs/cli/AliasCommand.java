package org.cfs.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code cfs alias}: short names for volume ids, kept in the config directory. */
@Command(name = "alias",
        mixinStandardHelpOptions = true,
        description = "Names volumes, so commands take a name where they take a volume's 40 hex digits.",
        subcommands = {AliasSetCommand.class, AliasListCommand.class})
final class AliasCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name an alias command: set or list");
    }
}
