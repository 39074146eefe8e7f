package org.cfs.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/** The saved signing keys, as a table for people and as one line of JSON. */
record KeysReport(Path dir, List<ConfigDir.KeyInfo> keys) implements CommandReport {

    @Override
    public void print(PrintWriter out) {
        if (keys.isEmpty()) {
            out.println("no keys in " + dir + "; make one with 'cfs keygen NAME'");
            return;
        }
        int width = keys.stream().mapToInt(k -> k.name().length()).max().orElse(0);
        for (ConfigDir.KeyInfo key : keys) {
            out.printf("%-" + width + "s  %s  %s%n", key.name(), key.publicKey(), key.file());
        }
    }

    /** {"dir":..,"keys":[{"name","publicKey","file"},..]} */
    @Override
    public String toJson() {
        JsonWriter json = new JsonWriter().beginObject().name("dir").value(dir.toString()).name("keys").beginArray();
        for (ConfigDir.KeyInfo key : keys) {
            json.beginObject()
                    .name("name").value(key.name())
                    .name("publicKey").value(key.publicKey())
                    .name("file").value(key.file().toString())
                    .endObject();
        }
        return json.endArray().endObject().toString();
    }
}
