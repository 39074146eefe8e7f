package org.cfs.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code cfs block}: single blocks in DHash, stored, fetched and located from outside the ring. */
@Command(name = "block",
        mixinStandardHelpOptions = true,
        description = "Stores, fetches or locates one block in the ring's block store (DHash).",
        subcommands = {BlockPutCommand.class, BlockGetCommand.class, BlockStatCommand.class})
final class BlockCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a block command: put, get or stat");
    }
}
