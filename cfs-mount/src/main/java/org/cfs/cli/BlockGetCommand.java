package org.cfs.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cfs.chord.Id;
import org.cfs.dhash.Block;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.SignedBlock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Fetches one block, verifies it, and writes its data. */
@Command(name = "get",
        mixinStandardHelpOptions = true,
        description = "Fetches the block named KEY from its replica hosts, verifies it against KEY, and"
                + " writes its data (a signed block's payload) to stdout, or to FILE with --output.")
final class BlockGetCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "KEY", description = "The block's key: 40 hex digits.")
    private String keyText;

    @Mixin
    private BlockOptions options;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Write the data to FILE instead of stdout; FILE is written only if the fetch succeeds.")
    private Path output;

    @Override
    public Integer call() {
        Id key = BlockOptions.parseKey(spec, keyText);
        DHashConfig config = options.validate(spec);
        // A fetch is wasted on a file that cannot be written; this catches the usual reason early.
        String cannotWrite = output == null ? null : FileFailure.parentProblem(output);
        if (cannotWrite != null) {
            throw new CommandFailedException("cannot write " + output + ": " + cannotWrite);
        }
        Block block;
        try (RemoteBlocks blocks = new RemoteBlocks(options.via(), config, options.timeout())) {
            block = blocks.get(key);
        }
        write(data(block));
        return 0;
    }

    /** What a reader wants from a block: a content block's data, a signed block's payload. */
    static byte[] data(Block block) {
        if (block instanceof SignedBlock signed) {
            return signed.payload();
        }
        return ((ContentBlock) block).data();
    }

    private void write(byte[] data) {
        if (output != null) {
            try {
                Files.write(output, data);
            } catch (IOException e) {
                throw FileFailure.of("write", output, e);
            }
            return;
        }
        PrintStream stdout = System.out;
        stdout.write(data, 0, data.length);
        stdout.flush();
        if (stdout.checkError()) {
            throw new CommandFailedException("cannot write the block's " + data.length + " bytes to stdout");
        }
    }
}
