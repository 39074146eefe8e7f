package org.cfs.cluster.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/** Runs the JMH micro-benchmarks packaged in the lab jar; arguments go to JMH unchanged. */
@Command(name = "jmh",
        description = "JMH micro-benchmarks, e.g. 'jmh ChordMicroBenchmarks -rf json'. Arguments pass to JMH (-h for its help).")
final class JmhCommand implements Callable<Integer> {
    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        org.openjdk.jmh.Main.main(args.toArray(String[]::new));
        return 0;
    }
}
