package org.cfs.cli;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import org.cfs.chord.Id;

/** The volume aliases, sorted by name, as a table for people and as one line of JSON. */
record AliasesReport(@JsonIgnore Map<String, Id> aliases) implements CommandReport {

    @Override
    public void print(PrintWriter out) {
        if (aliases.isEmpty()) {
            out.println("no aliases; add one with 'cfs alias set NAME VOLUME'");
            return;
        }
        int width = aliases.keySet().stream().mapToInt(String::length).max().orElse(0);
        aliases.forEach((name, volume) -> out.printf("%-" + width + "s  %s%n", name, volume.toHex()));
    }

    /** Serialised as {"aliases":[{"name","volume"},..]}, in name order. */
    @JsonProperty("aliases")
    List<Alias> list() {
        return aliases.entrySet().stream().map(e -> new Alias(e.getKey(), e.getValue())).toList();
    }

    record Alias(String name, Id volume) {
    }
}
