package org.cfs.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;

/** What a command found, as text for people or as one line of JSON for scripts. */
interface CommandReport {
    void print(PrintWriter out);

    String toJson();

    /** Writes the report to the command's output in the form asked for. */
    default void emit(CommandSpec spec, boolean json) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(toJson());
        } else {
            print(out);
        }
        out.flush();
    }
}
