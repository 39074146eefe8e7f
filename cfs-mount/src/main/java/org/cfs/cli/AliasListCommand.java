package org.cfs.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Lists the volume aliases. */
@Command(name = "list",
        mixinStandardHelpOptions = true,
        description = "Lists the volume aliases, by name, with the volume id each stands for.")
final class AliasListCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--json", description = "Print one line of JSON instead of the table.")
    private boolean json;

    @Override
    public Integer call() {
        new AliasesReport(ConfigDir.of(spec).aliases()).emit(spec, json);
        return 0;
    }
}
