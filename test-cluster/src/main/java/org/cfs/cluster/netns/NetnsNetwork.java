package org.cfs.cluster.netns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A network of hosts on one machine, each in a network namespace of its own with its own address,
 * all on one bridge: {@code 10.77.S.1}, {@code 10.77.S.2}, ... on veth pairs, the bridge itself
 * at {@code 10.77.S.254} in this (the root) namespace, so this JVM reaches every host directly. S
 * is a /24 no interface here uses yet. Every name carries this JVM's pid ({@code cfs<pid>n<i>}
 * for host i's namespace, {@code cfs<pid>h<i>} for its veth's bridge end, {@code cfs<pid>b} for
 * the bridge), so two runs never collide; {@link #close()} removes them, as does a shutdown hook
 * if the JVM ends first, and {@link #create} first removes those of runs whose JVM is gone.
 *
 * <p>A partition ({@link #cut}) gives every host on each side a blackhole route to every host on
 * the other: new connections across fail at once, packets of open ones are dropped, and both sides
 * still reach this JVM. It needs root and {@code ip} (iproute2); {@link #unavailable()} says why
 * it cannot run here.
 */
public final class NetnsNetwork implements AutoCloseable {
    /** Bound on one {@code ip} command. */
    private static final Duration IP_BOUND = Duration.ofSeconds(20);
    private static final String PREFIX = "cfs";
    private static final Pattern OURS = Pattern.compile(PREFIX + "(\\d+)([nhb])(\\d*)");
    private static final int BRIDGE_HOST = 254;

    private final String tag;
    private final String subnet;
    private final List<String> namespaces = new ArrayList<>();
    private final List<String> addresses = new ArrayList<>();
    private final Thread hook;
    private boolean closed;

    private NetnsNetwork(String tag, String subnet) {
        this.tag = tag;
        this.subnet = subnet;
        this.hook = new Thread(this::remove, "netns-cleanup-" + tag);
    }

    /** Why no network can be made here (not root, no {@code ip}, namespaces refused), or null if one can. */
    public static String unavailable() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "not root (user " + System.getProperty("user.name") + ")";
        }
        try {
            run(List.of("ip", "netns", "list"));
            return null;
        } catch (IOException e) {
            return "ip (iproute2) does not run: " + e.getMessage() + "; install it: apt-get install iproute2";
        }
    }

    /**
     * Makes {@code hosts} namespaces on a new bridge, after removing leftovers of dead runs.
     *
     * @throws IOException naming the {@code ip} command that failed, having removed what it made
     */
    public static NetnsNetwork create(int hosts) throws IOException {
        if (hosts < 1 || hosts >= BRIDGE_HOST) {
            throw new IllegalArgumentException(hosts + " hosts is outside 1.." + (BRIDGE_HOST - 1));
        }
        sweep();
        long pid = ProcessHandle.current().pid();
        NetnsNetwork net = new NetnsNetwork(PREFIX + pid, freeSubnet(pid));
        Runtime.getRuntime().addShutdownHook(net.hook);
        try {
            net.build(hosts);
        } catch (IOException | RuntimeException e) {
            net.close();
            throw e;
        }
        return net;
    }

    private void build(int hosts) throws IOException {
        String bridge = tag + "b";
        run(List.of("ip", "link", "add", bridge, "type", "bridge"));
        run(List.of("ip", "addr", "add", subnet + BRIDGE_HOST + "/24", "dev", bridge));
        run(List.of("ip", "link", "set", bridge, "up"));
        for (int i = 0; i < hosts; i++) {
            String ns = tag + "n" + i;
            String veth = tag + "h" + i;
            String address = subnet + (i + 1);
            run(List.of("ip", "netns", "add", ns));
            namespaces.add(ns);
            run(List.of("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns));
            run(List.of("ip", "link", "set", veth, "master", bridge, "up"));
            run(List.of("ip", "-n", ns, "addr", "add", address + "/24", "dev", "eth0"));
            run(List.of("ip", "-n", ns, "link", "set", "eth0", "up"));
            run(List.of("ip", "-n", ns, "link", "set", "lo", "up"));
            addresses.add(address);
        }
    }

    /** Host {@code i}'s address. */
    public String address(int i) {
        return addresses.get(i);
    }

    public List<String> addresses() {
        return List.copyOf(addresses);
    }

    /** Host {@code i}'s namespace, for {@code ip netns exec}. */
    public String namespace(int i) {
        return namespaces.get(i);
    }

    public List<String> namespaces() {
        return List.copyOf(namespaces);
    }

    /** This JVM's address on the bridge, which every host reaches, cut or not. */
    public String bridgeAddress() {
        return subnet + BRIDGE_HOST;
    }

    public int size() {
        return addresses.size();
    }

    /** Cuts the hosts in {@code side} off from all the others, both ways. */
    public void cut(Collection<Integer> side) throws IOException {
        routes("add", side);
    }

    /** Undoes {@link #cut} of the same side. */
    public void heal(Collection<Integer> side) throws IOException {
        routes("del", side);
    }

    private void routes(String verb, Collection<Integer> side) throws IOException {
        for (int i = 0; i < size(); i++) {
            StringBuilder batch = new StringBuilder();
            for (int j = 0; j < size(); j++) {
                if (side.contains(i) != side.contains(j)) {
                    batch.append("route ").append(verb).append(" blackhole ").append(address(j)).append("/32\n");
                }
            }
            if (!batch.isEmpty()) {
                run(List.of("ip", "-n", namespace(i), "-batch", "-"), batch.toString());
            }
        }
    }

    /** Removes the namespaces and links; stop the processes in them first. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is shutting down and the hook runs (or ran) remove itself.
        }
        remove();
    }

    private void remove() {
        removeAll(tag);
    }

    /** Removes every namespace and link named for {@code tag} ({@code cfs<pid>}), going on past failures. */
    private static void removeAll(String tag) {
        try {
            // The links first: deleting a namespace deletes its veth pair too, in the background.
            for (String link : listed(List.of("ip", "-o", "link", "show"))) {
                if (link.startsWith(tag + "h") || link.equals(tag + "b")) {
                    quietly(List.of("ip", "link", "del", link));
                }
            }
            for (String ns : listed(List.of("ip", "netns", "list"))) {
                if (ns.startsWith(tag + "n")) {
                    killProcessesIn(ns);
                    quietly(List.of("ip", "netns", "del", ns));
                }
            }
        } catch (IOException e) {
            System.err.println("netns: could not list what to remove for " + tag + ": " + e.getMessage());
        }
    }

    /**
     * Kills, by pid, what still runs in {@code ns}: node processes of a run whose JVM died before
     * it could stop them (a node started by a live run is stopped by that run first).
     */
    private static void killProcessesIn(String ns) throws IOException {
        List<ProcessHandle> left = new ArrayList<>();
        for (String pid : run(List.of("ip", "netns", "pids", ns)).split("\\s+")) {
            if (!pid.isEmpty()) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(left::add);
            }
        }
        left.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : left) {
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("netns: process " + p.pid() + " in " + ns + " did not exit: " + e);
            }
        }
    }

    /** Removes the namespaces and links of runs whose JVM (the pid in their name) is gone. */
    public static void sweep() throws IOException {
        List<String> names = new ArrayList<>(listed(List.of("ip", "netns", "list")));
        names.addAll(listed(List.of("ip", "-o", "link", "show")));
        names.stream()
                .map(OURS::matcher)
                .filter(Matcher::matches)
                .map(m -> Long.parseLong(m.group(1)))
                .distinct()
                .filter(pid -> ProcessHandle.of(pid).isEmpty())
                .forEach(pid -> removeAll(PREFIX + pid));
    }

    /** The first word of each line {@code command} prints (for {@code ip -o link}: the name after the index). */
    private static List<String> listed(List<String> command) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : run(command).split("\n")) {
            String[] words = line.trim().split("\\s+");
            if (words.length == 0 || words[0].isEmpty()) {
                continue;
            }
            String name = words[0].endsWith(":") && words.length > 1 ? words[1] : words[0];
            name = name.replaceAll(":$", "");
            int at = name.indexOf('@');
            out.add(at >= 0 ? name.substring(0, at) : name);
        }
        return out;
    }

    /** A {@code 10.77.S.} prefix no address here is in, trying from one that depends on {@code pid}. */
    private static String freeSubnet(long pid) throws IOException {
        String used = run(List.of("ip", "-o", "-4", "addr", "show"));
        for (int k = 0; k < 250; k++) {
            String candidate = "10.77." + (1 + (pid + k) % 250) + ".";
            if (!used.contains(" " + candidate)) {
                return candidate;
            }
        }
        throw new IOException("every 10.77.S.0/24 (S = 1..250) is in use here");
    }

    private static void quietly(List<String> command) {
        try {
            run(command);
        } catch (IOException e) {
            System.err.println("netns: " + e.getMessage());
        }
    }

    private static String run(List<String> command) throws IOException {
        return run(command, null);
    }

    /** Runs {@code command} (with {@code input} on stdin), at most {@link #IP_BOUND}; its output, or an error naming it. */
    private static String run(List<String> command, String input) throws IOException {
        Path out = Files.createTempFile("netns", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            try (var stdin = p.getOutputStream()) {
                if (input != null) {
                    stdin.write(input.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!p.waitFor(IP_BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within " + IP_BOUND.toSeconds() + " s");
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): " + output.trim());
            }
            return output;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", command) + " interrupted", e);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
