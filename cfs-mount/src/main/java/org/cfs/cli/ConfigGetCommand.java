package org.cfs.cli;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.cfs.chord.Endpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Prints settings: one value alone for scripts, or every setting for people. */
@Command(name = "get",
        mixinStandardHelpOptions = true,
        description = {
            "With KEY, prints that setting's value alone, and exits 1 if it is not set;"
                + " without, prints every setting as KEY = VALUE."})
final class ConfigGetCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "KEY",
            description = "The setting: " + ConfigCommand.SETTINGS + ".")
    private String key;

    @Override
    public Integer call() {
        if (key != null && !key.equals("via")) {
            throw ConfigCommand.unknownSetting(spec, key);
        }
        ConfigDir config = ConfigDir.of(spec);
        Optional<Endpoint> via = config.via();
        PrintWriter out = spec.commandLine().getOut();
        if (key == null) {
            out.println("via = " + via.map(Endpoint::toString).orElse("(not set)"));
        } else {
            out.println(via.orElseThrow(() -> new CommandFailedException("via is not set in "
                    + config.settingsFile() + "; set it with 'cfs config set via HOST:PORT'")));
        }
        out.flush();
        return 0;
    }
}
