package org.cfs.cli;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.cfs.chord.Id;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Names a volume id; naming another volume with the same name moves the name. */
@Command(name = "set",
        mixinStandardHelpOptions = true,
        description = "Makes NAME stand for the volume VOLUME; if NAME stood for another volume, it now"
                + " stands for this one.")
final class AliasSetCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME",
            description = "1..64 of A-Z a-z 0-9 . _ -, and not 40 hex digits (that reads as a volume id).")
    private String name;

    @Parameters(index = "1", paramLabel = "VOLUME", description = "The volume's id: 40 hex digits.")
    private String volumeText;

    @Override
    public Integer call() {
        if (!Id.isHex(volumeText)) {
            throw new ParameterException(spec.commandLine(),
                    "'" + volumeText + "' is not a volume id: give the volume's 40 hex digits");
        }
        Id volume = Id.fromHex(volumeText);
        Optional<Id> before;
        try {
            before = ConfigDir.of(spec).setAlias(name, volume);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(name + " = " + volume.toHex()
                + before.filter(b -> !b.equals(volume)).map(b -> " (was " + b.toHex() + ")").orElse(""));
        out.flush();
        return 0;
    }
}
