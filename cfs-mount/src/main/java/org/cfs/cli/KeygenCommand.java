package org.cfs.cli;

import java.io.PrintWriter;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import org.cfs.dhash.SigningKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Makes a named signing key in the config directory; prints only its public half. */
@Command(name = "keygen",
        mixinStandardHelpOptions = true,
        description = {
            "Makes a new Ed25519 signing key and saves it as keys/NAME.pem in the config directory"
                + " (unencrypted PKCS#8, mode 0600: readable by you alone).",
            "Prints the public key in hex alone on the first line, then the file. Never overwrites a key."})
final class KeygenCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The key's name: 1..64 of A-Z a-z 0-9 . _ -")
    private String name;

    @Override
    public Integer call() {
        ConfigDir config = ConfigDir.of(spec);
        SigningKey key;
        try {
            key = config.createKey(name);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(HexFormat.of().formatHex(key.publicKey()));
        out.println("saved key '" + name + "' to " + config.keyFile(name)
                + "; keep it safe: whoever holds it can publish as you");
        out.flush();
        return 0;
    }
}
