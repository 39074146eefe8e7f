package org.cfs.cli;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/** The saved signing keys, as a table for people and as one line of JSON. */
record KeysReport(@JsonIgnore Path dir, @JsonIgnore List<ConfigDir.KeyInfo> keys) implements CommandReport {

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

    /** Serialised as {"dir":..,"keys":[{"name","publicKey","file"},..]}, paths as plain strings. */
    @JsonProperty("dir")
    String dirName() {
        return dir.toString();
    }

    @JsonProperty("keys")
    List<Key> list() {
        return keys.stream().map(k -> new Key(k.name(), k.publicKey(), k.file().toString())).toList();
    }

    record Key(String name, String publicKey, String file) {
    }
}
