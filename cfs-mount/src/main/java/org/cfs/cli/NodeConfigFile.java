package org.cfs.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The settings file of {@code cfs node --config FILE}: a properties file whose keys are the node's
 * option names without their dashes ({@code listen = 127.0.0.2:7000}), so every option, including
 * ones added later, has a key. Picocli asks this provider for the value of each option not given on
 * the command line, so flags win over the file and the file over {@link NodeCommand.Defaults}. A
 * key that names no option, or one given twice, is a usage error naming the key and the file: a
 * typo must not be silently ignored.
 */
final class NodeConfigFile implements IDefaultValueProvider {
    private static final IDefaultValueProvider BUILT_IN = new NodeCommand.Defaults();
    /** Options about this run of the command rather than the node's settings. */
    private static final Set<String> NOT_SETTINGS = Set.of("config", "help", "version", "verbose");

    private Path loaded;
    private Map<String, String> values = Map.of();

    @Override
    public String defaultValue(ArgSpec arg) throws Exception {
        if (arg instanceof OptionSpec option && option.command() != null) {
            String value = values(option.command()).get(key(option));
            if (value != null) {
                return value;
            }
        }
        return BUILT_IN.defaultValue(arg);
    }

    /**
     * Gives the node's own {@code --config} (inherited from {@code cfs}, where it names the client's
     * config directory) the meaning and help of the node's settings file. It stays one option, so
     * {@code cfs --config FILE node} means the same.
     */
    static void describeConfigOption(CommandSpec node) {
        OptionSpec inherited = node.findOption("--config");
        node.remove(inherited);
        node.addOption(OptionSpec.builder(inherited)
                .paramLabel("FILE")
                .description("Read the node's settings from FILE, a properties file with one line per"
                        + " option, named without its dashes (listen = 127.0.0.2:7000); options given on"
                        + " the command line win. A key that is no option is an error.")
                .build());
    }

    /**
     * The node's effective settings for its log: "listen=127.0.0.2:7000 (file) join=none vnodes=4
     * (default) ...", each with where it came from: the command line (flag), the file, or the default.
     */
    String describe(CommandSpec node) {
        ParseResult parsed = node.commandLine().getParseResult();
        List<String> settings = new ArrayList<>();
        for (OptionSpec option : settingOptions(node)) {
            Object value = option.getValue();
            String source = parsed != null && parsed.hasMatchedOption(option) ? "flag"
                    : values.containsKey(key(option)) ? "file"
                    : value == null ? null : "default";
            settings.add(key(option) + "=" + (value == null ? "none" : value) + (source == null ? "" : " (" + source + ")"));
        }
        return (loaded == null ? "no config file" : "config file " + loaded.toAbsolutePath()) + "; "
                + String.join(" ", settings);
    }

    /**
     * Where a bad value came from, for a usage error: " (key 'vnodes' of config file F)" if the file
     * gave it, else "", since picocli's message names only the option.
     */
    String origin(ArgSpec arg) {
        if (arg instanceof OptionSpec option && values.containsKey(key(option))
                && (option.command().commandLine().getParseResult() == null
                        || !option.command().commandLine().getParseResult().hasMatchedOption(option))) {
            return " (key '" + key(option) + "' of config file " + loaded + ")";
        }
        return "";
    }

    private Map<String, String> values(CommandSpec node) {
        Path file = file(node);
        if (file == null) {
            return Map.of();
        }
        if (!file.equals(loaded)) {
            values = read(file, node);
            loaded = file;
        }
        return values;
    }

    /** The --config value, which the inherited option keeps on {@link Main}. */
    private static Path file(CommandSpec node) {
        return node.root().userObject() instanceof Main main ? main.configDir() : null;
    }

    private static Map<String, String> read(Path file, CommandSpec node) {
        Map<String, String> read = new LinkedHashMap<>();
        Properties properties = new Properties() {
            private static final long serialVersionUID = 1L;

            @Override
            public synchronized Object put(Object key, Object value) {
                if (read.putIfAbsent((String) key, ((String) value).strip()) != null) {
                    throw new ParameterException(node.commandLine(),
                            "key '" + key + "' is given twice in config file " + file);
                }
                return super.put(key, value);
            }
        };
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(in);
        } catch (IOException e) {
            throw new ParameterException(node.commandLine(), "cannot read config file " + file + ": "
                    + (Files.isDirectory(file) ? "it is a directory" : ConfigDir.reason(e)));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(node.commandLine(), "config file " + file + ": " + e.getMessage());
        }
        List<String> keys = settingOptions(node).stream().map(NodeConfigFile::key).toList();
        for (String key : read.keySet()) {
            if (!keys.contains(key)) {
                String nearest = UnknownCommand.nearest(key, keys);
                throw new ParameterException(node.commandLine(), "unknown key '" + key + "' in config file " + file
                        + (nearest != null ? "; did you mean '" + nearest + "'?" : "")
                        + " (keys: " + String.join(", ", keys) + ")");
            }
        }
        // A key with no value is as if left out, so a sample file can show it empty.
        read.values().removeIf(String::isEmpty);
        return read;
    }

    private static List<OptionSpec> settingOptions(CommandSpec node) {
        return node.options().stream().filter(o -> !NOT_SETTINGS.contains(key(o))).toList();
    }

    /** "--listen" is "listen". */
    private static String key(OptionSpec option) {
        return option.longestName().replaceFirst("^-+", "");
    }
}
