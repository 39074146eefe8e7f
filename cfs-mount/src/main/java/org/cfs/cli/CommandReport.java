package org.cfs.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What a command found, as text for people or as one line of JSON for scripts. The JSON is the
 * report record itself through {@link Json}: each component is a field, components marked
 * {@code @JsonIgnore} are left out, and methods marked {@code @JsonProperty} add derived fields.
 */
interface CommandReport {
    void print(PrintWriter out);

    default String toJson() {
        return Json.line(this);
    }

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
