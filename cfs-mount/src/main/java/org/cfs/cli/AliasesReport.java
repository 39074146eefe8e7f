package org.cfs.cli;

import java.io.PrintWriter;
import java.util.Map;
import org.cfs.chord.Id;

/** The volume aliases, sorted by name, as a table for people and as one line of JSON. */
record AliasesReport(Map<String, Id> aliases) implements CommandReport {

    @Override
    public void print(PrintWriter out) {
        if (aliases.isEmpty()) {
            out.println("no aliases; add one with 'cfs alias set NAME VOLUME'");
            return;
        }
        int width = aliases.keySet().stream().mapToInt(String::length).max().orElse(0);
        aliases.forEach((name, volume) -> out.printf("%-" + width + "s  %s%n", name, volume.toHex()));
    }

    /** {"aliases":[{"name","volume"},..]} */
    @Override
    public String toJson() {
        JsonWriter json = new JsonWriter().beginObject().name("aliases").beginArray();
        aliases.forEach((name, volume) -> json.beginObject()
                .name("name").value(name)
                .name("volume").value(volume.toHex())
                .endObject());
        return json.endArray().endObject().toString();
    }
}
