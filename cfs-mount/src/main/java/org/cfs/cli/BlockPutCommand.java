package org.cfs.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cfs.dhash.Block;
import org.cfs.dhash.ContentBlock;
import org.cfs.dhash.DHashConfig;
import org.cfs.dhash.PutResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Stores a file as one content-hash block and says where it landed. */
@Command(name = "put",
        mixinStandardHelpOptions = true,
        description = {
            "Stores FILE's bytes (at most 1 MiB; - reads standard input) as one content-hash block on its"
                + " replica hosts, then prints its key (the hash of the bytes) and the nodes that acknowledged it.",
            "Warns on stderr when fewer than K replica hosts stored it; fails if fewer than two (or K, if"
                + " smaller) did."})
final class BlockPutCommand implements Callable<Integer> {
    /** The FILE that means standard input, as in most Unix tools. */
    static final String STDIN = "-";

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE",
            description = "The file to store, or - for standard input (./- names a file called -).")
    private Path file;

    @Mixin
    private BlockOptions options;

    @Option(names = "--json", description = "End with one line of JSON.")
    private boolean json;

    @Override
    public Integer call() {
        DHashConfig config = options.validate(spec);
        byte[] data = file.toString().equals(STDIN) ? readStdin() : read(file);
        PutResult result;
        try (RemoteBlocks blocks = new RemoteBlocks(options.via(), config, options.timeout())) {
            result = blocks.put(new ContentBlock(data));
        }
        if (!result.complete()) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("cfs block put: warning: block " + result.key() + " is on only " + result.holders().size()
                    + " of " + result.wanted() + " replica hosts; maintenance copies it to the others");
            err.flush();
        }
        new PutReport(result, data.length, options.via()).emit(spec, json);
        return 0;
    }

    /** The bytes of standard input, refused as soon as they would not fit one block. */
    static byte[] readStdin() {
        try {
            // One byte past the limit tells an over-long input from one that fits exactly.
            byte[] data = System.in.readNBytes(Block.DEFAULT_MAX_DATA + 1);
            if (data.length > Block.DEFAULT_MAX_DATA) {
                throw new CommandFailedException("standard input holds more than " + Block.DEFAULT_MAX_DATA
                        + " bytes, over the 1 MiB limit of one block");
            }
            return data;
        } catch (IOException e) {
            throw new CommandFailedException("cannot read standard input: " + e.getMessage(), e);
        }
    }

    /** The file's bytes, refused before reading when they would not fit one block. */
    static byte[] read(Path file) {
        try {
            if (Files.isDirectory(file)) {
                throw new CommandFailedException(file + " is a directory; a block holds one file's bytes");
            }
            long size = Files.size(file);
            if (size > Block.DEFAULT_MAX_DATA) {
                throw tooLarge(file, size);
            }
            byte[] data = Files.readAllBytes(file);
            if (data.length > Block.DEFAULT_MAX_DATA) {
                throw tooLarge(file, data.length);
            }
            return data;
        } catch (IOException e) {
            throw FileFailure.of("read", file, e);
        }
    }

    private static CommandFailedException tooLarge(Path file, long size) {
        return new CommandFailedException(file + " is " + size + " bytes, over the " + Block.DEFAULT_MAX_DATA
                + "-byte (1 MiB) limit of one block");
    }
}
