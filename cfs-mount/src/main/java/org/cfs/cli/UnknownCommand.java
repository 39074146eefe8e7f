package org.cfs.cli;

import java.util.Collection;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The usage error for a word where a command name belongs, with the nearest name when one is
 * close enough to be a slip of the keyboard. picocli's own suggestions rank by similarity and
 * offer something however far off it is; a small edit distance offers only plausible typos.
 */
final class UnknownCommand {
    private UnknownCommand() {
    }

    /**
     * "unknown command 'rign'; did you mean 'ring'?" when {@code e} is an unmatched word given to a
     * command that takes subcommands, else null.
     */
    static String message(ParameterException e) {
        CommandLine failed = e.getCommandLine();
        if (!(e instanceof UnmatchedArgumentException unmatched) || failed.getSubcommands().isEmpty()) {
            return null;
        }
        List<String> words = unmatched.getUnmatched();
        if (words.isEmpty() || words.get(0).startsWith("-")) {
            return null;
        }
        String typed = words.get(0);
        String nearest = nearest(typed, failed.getSubcommands().keySet());
        return "unknown command '" + typed + "'" + (nearest == null ? "" : "; did you mean '" + nearest + "'?");
    }

    /**
     * The name closest to {@code typed}, if it is within two edits and under half its own length
     * (so a four-letter name takes one slip); the first such name on a tie.
     */
    static String nearest(String typed, Collection<String> names) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String name : names) {
            int d = distance(typed, name);
            if (d <= 2 && 2 * d < name.length() && d < bestDistance) {
                best = name;
                bestDistance = d;
            }
        }
        return best;
    }

    /**
     * Edits (insert, delete, substitute, swap two neighbours) from {@code a} to {@code b}: optimal
     * string alignment, so "rign" is one edit from "ring".
     */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
