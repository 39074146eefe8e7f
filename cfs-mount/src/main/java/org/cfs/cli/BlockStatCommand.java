package org.cfs.cli;

import java.util.concurrent.Callable;
import org.cfs.chord.Id;
import org.cfs.dhash.BlockStat;
import org.cfs.dhash.DHashConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Shows which nodes around a key store or cache its block. */
@Command(name = "stat",
        mixinStandardHelpOptions = true,
        description = "Asks the K replica hosts of KEY, and the nodes the lookup passed, whether they"
                + " store the block durably or hold it in their cache.")
final class BlockStatCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "KEY", description = "The block's key: 40 hex digits.")
    private String keyText;

    @Mixin
    private BlockOptions options;

    @Option(names = "--json", description = "End with one line of JSON.")
    private boolean json;

    @Override
    public Integer call() {
        Id key = BlockOptions.parseKey(spec, keyText);
        DHashConfig config = options.validate(spec);
        BlockStat stat;
        try (RemoteBlocks blocks = new RemoteBlocks(options.via(), config, options.timeout())) {
            stat = blocks.stat(key);
        }
        new StatReport(stat, config.replicas(), options.via()).emit(spec, json);
        return 0;
    }
}
