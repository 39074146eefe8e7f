package org.cfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The README's command table lists every command and exactly the options its --help shows. */
class ReadmeCommandTableTest {
    /**
     * Options every command has, which the README describes once above the table, unless a command
     * gives one a meaning of its own (node's --config names its settings file).
     */
    private static final Set<String> COMMON = Set.of("--help", "--version", "--verbose", "--config");
    private static final Pattern OPTION = Pattern.compile("(?<![\\w-])(--?[A-Za-z][\\w-]*)");

    @Test
    void everyCommandHasARowNamingExactlyItsOptions() throws Exception {
        // Surefire runs in the module's directory; the README is the project's.
        List<String> rows = Files.readAllLines(Path.of("..", "README.md")).stream()
                .filter(l -> l.startsWith("| `cfs ")).toList();
        List<CommandLine> commands = new ArrayList<>();
        CommandLine main = Main.commandLine();
        leaves(main, commands);
        assertEquals(commands.size(), rows.size(), "one row per command: " + rows);
        for (CommandLine command : commands) {
            String name = command.getCommandSpec().qualifiedName();
            String usage = rows.stream().map(r -> r.substring(3, r.indexOf('`', 3)))
                    .filter(u -> u.equals(name) || u.startsWith(name + " ")).findFirst()
                    .orElseThrow(() -> new AssertionError("no README row for " + name));
            Set<String> expected = new TreeSet<>();
            for (OptionSpec option : command.getCommandSpec().options()) {
                // Hidden options are for cfs's own use (a background mount reporting back), not for people.
                OptionSpec common = COMMON.contains(option.longestName())
                        ? main.getCommandSpec().findOption(option.longestName()) : null;
                boolean asEverywhere = common != null
                        && List.of(common.description()).equals(List.of(option.description()));
                if (!asEverywhere && !option.hidden()) {
                    expected.add(option.longestName());
                }
            }
            Set<String> listed = new TreeSet<>();
            Matcher m = OPTION.matcher(usage);
            while (m.find()) {
                OptionSpec option = command.getCommandSpec().findOption(m.group(1));
                assertTrue(option != null, name + ": README lists " + m.group(1) + ", which --help does not");
                listed.add(option.longestName());
            }
            assertEquals(expected, listed, name + "'s options in README: " + usage);
        }
    }

    /** The commands that do work: those without subcommands, other than help. */
    private static void leaves(CommandLine command, List<CommandLine> out) {
        if (command.getSubcommands().isEmpty()) {
            if (!(command.getCommand() instanceof CommandLine.HelpCommand)) {
                out.add(command);
            }
            return;
        }
        command.getSubcommands().values().forEach(c -> leaves(c, out));
    }
}
