package org.cfs.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Lists the signing keys in the config directory by name and public key. */
@Command(name = "keys",
        mixinStandardHelpOptions = true,
        description = "Lists the signing keys in the config directory: name, public key (hex) and file.")
final class KeysCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--json", description = "Print one line of JSON instead of the table.")
    private boolean json;

    @Override
    public Integer call() {
        ConfigDir config = ConfigDir.of(spec);
        new KeysReport(config.keysDir(), config.keys()).emit(spec, json);
        return 0;
    }
}
