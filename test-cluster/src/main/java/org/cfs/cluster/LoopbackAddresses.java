package org.cfs.cluster;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Loopback addresses for hosts on this machine, one per host as separate machines would have:
 * node ids are H(ip#vnode), so two hosts of one ring cannot share an address. Linux routes all of
 * 127.0.0.0/8 to the loopback device, so any of them can be bound without set-up. Addresses are
 * handed out in turn across the JVM from 127.0.0.2 on (127.0.0.1 is left to clients and other
 * programs), skipping .0 and .255 in the last octet; after 127.255.255.254 they start again.
 */
public final class LoopbackAddresses {
    /** Addresses between two uses of the same one: far more than any test or benchmark starts. */
    private static final int CYCLE = 254 * 256 * 256;
    private static final AtomicInteger NEXT = new AtomicInteger();

    private LoopbackAddresses() {
    }

    /** A loopback address no other host of this JVM was given recently. */
    public static String next() {
        // 0 would be 127.0.0.1
        int n = 1 + Math.floorMod(NEXT.getAndIncrement(), CYCLE - 1);
        int rest = n / 254;
        return "127." + rest / 256 + "." + rest % 256 + "." + (n % 254 + 1);
    }
}
