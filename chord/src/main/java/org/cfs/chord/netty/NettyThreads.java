package org.cfs.chord.netty;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;

/**
 * Names a transport's event-loop threads "cfs-netty-LABEL-N", LABEL being the listening port, so
 * that logs of several nodes in one JVM can be told apart. With port 0 the port is known only
 * after the bind has already started a thread, hence {@link #relabel}.
 */
final class NettyThreads implements ThreadFactory {
    private final List<Thread> created = new ArrayList<>();
    private String label;

    NettyThreads(String label) {
        this.label = label;
    }

    @Override
    public synchronized Thread newThread(Runnable task) {
        Thread thread = new FastThreadLocalThread(task, name(created.size() + 1));
        // Event loops keep a node's process alive until close(), like any server socket would.
        thread.setDaemon(false);
        created.add(thread);
        return thread;
    }

    synchronized void relabel(String newLabel) {
        label = newLabel;
        for (int i = 0; i < created.size(); i++) {
            created.get(i).setName(name(i + 1));
        }
    }

    private String name(int n) {
        return "cfs-netty-" + label + "-" + n;
    }
}
