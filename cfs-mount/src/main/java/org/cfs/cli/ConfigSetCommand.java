package org.cfs.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.cfs.chord.Endpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Saves one setting, checked as the option it stands in for would be. */
@Command(name = "set",
        mixinStandardHelpOptions = true,
        description = "Saves a setting: 'via HOST:PORT' is the ring node commands use when not given --via.")
final class ConfigSetCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "KEY", description = "The setting: " + ConfigCommand.SETTINGS + ".")
    private String key;

    @Parameters(index = "1", paramLabel = "VALUE", description = "Its value; for via, HOST:PORT of any node.")
    private String value;

    @Override
    public Integer call() {
        if (!key.equals("via")) {
            throw ConfigCommand.unknownSetting(spec, key);
        }
        Endpoint via;
        try {
            via = Endpoint.parse(value);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "via " + value + ": " + e.getMessage());
        }
        if (via.port() == 0) {
            throw new ParameterException(spec.commandLine(), "via " + via + " needs the node's real port, not 0");
        }
        ConfigDir config = ConfigDir.of(spec);
        config.setVia(via);
        PrintWriter out = spec.commandLine().getOut();
        out.println("via = " + via + " (saved in " + config.settingsFile() + ")");
        out.flush();
        return 0;
    }
}
