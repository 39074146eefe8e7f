package org.cfs.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cfs.chord.ChordConfig;
import org.cfs.chord.Id;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    private static final String CLOSED_HOST = "127.0.77.1";

    private static void assertUsageError(CliRun run, String expectedInMessage) {
        assertAll(
                () -> assertEquals(2, run.exitCode(), "exit code; stderr: " + run.err()),
                () -> assertEquals(1, run.errLines().size(), "one line on stderr, got: " + run.err()),
                () -> assertTrue(run.err().contains(expectedInMessage),
                        "stderr should mention '" + expectedInMessage + "': " + run.err()),
                () -> assertEquals("", run.out(), "nothing on stdout"));
    }

    @Test
    void badListenAddressIsAUsageErrorOnOneLine() {
        assertUsageError(CliRun.of("node", "--listen", "localhost"), "expected HOST:PORT, got 'localhost'");
    }

    @Test
    void nonNumericPortIsAUsageError() {
        assertUsageError(CliRun.of("ring", "--via", "127.0.0.1:http"), "port in '127.0.0.1:http' is not a number");
    }

    @Test
    void portOutOfRangeIsAUsageError() {
        assertUsageError(CliRun.of("lookup", "k", "--via", "127.0.0.1:70000"), "port 70000 is outside 0..65535");
    }

    @Test
    void missingRequiredOptionIsAUsageError() {
        assertUsageError(CliRun.of("node"), "--listen");
    }

    @Test
    void wildcardListenAddressIsRefused() {
        assertUsageError(CliRun.of("node", "--listen", "0.0.0.0:7000"), "wildcard");
    }

    @Test
    void aListenAddressThatIsANameIsRefused() {
        assertUsageError(CliRun.of("node", "--listen", "localhost:7000"), "needs an IP address, not a name");
    }

    @Test
    void joiningItselfIsRefused() {
        assertUsageError(CliRun.of("node", "--listen", "127.0.0.1:7000", "--join", "127.0.0.1:7000"),
                "names this node itself");
    }

    @Test
    void tooManyVnodesIsRefused() {
        assertUsageError(CliRun.of("node", "--listen", "127.0.0.1:7000", "--vnodes", "100000"),
                "--vnodes 100000 is outside 1..");
    }

    @Test
    void viaPortZeroIsRefused() {
        assertUsageError(CliRun.of("ring", "--via", "127.0.0.1:0"), "not 0");
    }

    @Test
    void unknownCommandAndNoCommandAreUsageErrors() {
        assertUsageError(CliRun.of("frobnicate"), "frobnicate");
        assertUsageError(CliRun.of(), "name a command");
    }

    @Test
    void anUnknownCommandIsNamedWithTheNearestOneWhenItIsATypo() {
        assertEquals(List.of("cfs: unknown command 'rign'; did you mean 'ring'? (see 'cfs --help')"),
                CliRun.of("rign").errLines());
        assertEquals(List.of("cfs: unknown command 'frobnicate' (see 'cfs --help')"),
                CliRun.of("frobnicate").errLines());
        assertUsageError(CliRun.of("lokup", "hello", "--via", "127.0.0.1:7000"),
                "unknown command 'lokup'; did you mean 'lookup'?");
        assertUsageError(CliRun.of("blokc", "stat"), "did you mean 'block'?");
        assertEquals(List.of("cfs block: unknown command 'gte'; did you mean 'get'? (see 'cfs block --help')"),
                CliRun.of("block", "gte", "x").errLines());
        assertUsageError(CliRun.of("ring", "--via", "127.0.0.1:7000", "extra"), "Unmatched argument");
    }

    @Test
    void onlyPlausibleTyposAreSuggested() {
        List<String> names = List.of("node", "ring", "lookup", "block", "demo", "help");
        assertEquals(1, UnknownCommand.distance("rign", "ring"));
        assertEquals(2, UnknownCommand.distance("lokpu", "lookup"));
        assertEquals("ring", UnknownCommand.nearest("rign", names));
        assertEquals("node", UnknownCommand.nearest("nod", names));
        assertEquals("lookup", UnknownCommand.nearest("lookpu", names));
        assertEquals(null, UnknownCommand.nearest("rg", names), "two edits are too many for a four-letter name");
        assertEquals(null, UnknownCommand.nearest("status", names));
    }

    @Test
    void verboseAfterTheSubcommandAddsTheStackTraceToUsageErrors() {
        CliRun run = CliRun.of("ring", "--verbose", "--via", "nonsense");
        assertEquals(2, run.exitCode());
        assertTrue(run.errLines().size() > 1, "a stack trace under --verbose: " + run.err());
        assertTrue(run.errLines().get(0).contains("expected HOST:PORT"), run.err());
    }

    @Test
    void verboseBeforeTheSubcommandAddsTheStackTraceToFailures() throws Exception {
        CliRun run = CliRun.of("--verbose", "ring", "--via", closedAddress(), "--timeout", "20");
        assertEquals(1, run.exitCode());
        assertTrue(run.errLines().size() > 1, "a stack trace under --verbose: " + run.err());
        assertTrue(run.errLines().get(0).contains("did not close the ring"), run.err());
    }

    @Test
    void helpListsTheCommandsAndExitsZero() {
        CliRun run = CliRun.of("--help");
        assertEquals(0, run.exitCode());
        for (String command : new String[] {"node", "ring", "lookup", "demo"}) {
            assertTrue(run.out().contains(command), "help lists " + command + ": " + run.out());
        }
    }

    @Test
    void nodeHelpSaysWhatDataIsFor() {
        CliRun run = CliRun.of("node", "--help");
        assertEquals(0, run.exitCode());
        assertTrue(run.out().contains("--data"), run.out());
        assertTrue(run.out().contains("DHash"), run.out());
        assertTrue(run.out().contains("default: 4"), "vnodes default shown: " + run.out());
        String help = run.out().replaceAll("\\s+", " ");
        int limit = ChordConfig.defaults().maxVnodes();
        assertTrue(help.contains("1.." + limit + " ") && help.contains("limit of " + limit + " "),
                "the vnode limit shown is the library's: " + help);
    }

    /**
     * HOST:PORT where nothing listens. The address is this test's own: on a shared machine another
     * process may take a just-freed port on 127.0.0.1.
     */
    private static String closedAddress() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(CLOSED_HOST))) {
            return CLOSED_HOST + ":" + s.getLocalPort();
        }
    }

    @Test
    void ringViaADeadAddressSaysWhyOnceInOneLineAndExitsOne() throws Exception {
        String via = closedAddress();
        CliRun run = CliRun.of("ring", "--via", via, "--timeout", "20");
        assertEquals(1, run.exitCode(), run.err());
        assertEquals(1, run.errLines().size(), "one line on stderr: " + run.err());
        assertTrue(run.err().contains("did not close the ring"), run.err());
        assertTrue(run.err().contains(via + " refused the connection"), run.err());
        assertEquals("ring via " + via + ": NOT closed after 0 vnodes\n", run.out(), "the reason is not repeated");
    }

    @Test
    void lookupViaADeadAddressSaysTheNodeRefusedTheConnection() throws Exception {
        String via = closedAddress();
        CliRun run = CliRun.of("lookup", "hello", "--via", via, "--timeout", "40");
        assertEquals(1, run.exitCode(), run.err());
        assertEquals(List.of("cfs lookup: lookup via " + via + " failed: " + via + " refused the connection"),
                run.errLines());
    }

    @Test
    void blockCommandsViaADeadAddressSayTheNodeRefusedTheConnection(@TempDir Path dir) throws Exception {
        String via = closedAddress();
        String key = Id.hash("anything").toHex();
        Path file = Files.writeString(dir.resolve("f"), "data");
        for (String[] args : List.of(new String[] {"get", key}, new String[] {"stat", key},
                new String[] {"put", file.toString()})) {
            CliRun run = CliRun.of("block", args[0], args[1], "--via", via, "--timeout", "40");
            assertEquals(1, run.exitCode(), run.err());
            assertEquals(1, run.errLines().size(), "one line on stderr: " + run.err());
            assertTrue(run.err().startsWith("cfs block " + args[0] + ": "), run.err());
            assertTrue(run.err().endsWith("via " + via + " failed: " + via + " refused the connection\n"), run.err());
        }
    }
}
