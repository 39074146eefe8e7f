package org.cfs.dhash;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * A DHash node's meters: functions over counters the store, cache and maintenance keep anyway,
 * read only when the registry is scraped, so the serving and maintenance paths do no extra work.
 */
final class NodeMeters {
    private NodeMeters() {
    }

    static void bind(MeterRegistry registry, BlockStore store, BlockCache cache, Maintenance maintenance) {
        Gauge.builder("cfs.store.blocks", store, BlockStore::count)
                .description("Blocks held in this node's durable store").register(registry);
        Gauge.builder("cfs.store.size", store, BlockStore::bytes).baseUnit("bytes")
                .description("Bytes of the blocks held in this node's durable store").register(registry);
        Gauge.builder("cfs.store.capacity", store, s -> s.limits().capacity().bytes()).baseUnit("bytes")
                .description("The most block bytes this node stores (--capacity)").register(registry);

        counter(registry, "cfs.path.cache.requests", cache, BlockCache::hits, "result", "hit",
                "Lookups of the path cache (blocks offered by readers), by result");
        counter(registry, "cfs.path.cache.requests", cache, BlockCache::misses, "result", "miss",
                "Lookups of the path cache (blocks offered by readers), by result");
        Gauge.builder("cfs.path.cache.size", cache, BlockCache::bytes).baseUnit("bytes")
                .description("Bytes of blocks held in the path cache").register(registry);

        FunctionCounter.builder("cfs.maintenance.rounds", maintenance, Maintenance::rounds)
                .description("Maintenance rounds completed").register(registry);
        Gauge.builder("cfs.replicas.under.k", maintenance, m -> m.underReplicated() < 0 ? Double.NaN : m.underReplicated())
                .description("Keys of this host's own ranges that the last maintenance round found with fewer than k"
                        + " current copies (NaN before the first round)")
                .register(registry);
        String blocks = "Blocks maintenance moved: pulled from and pushed to replicas, handed off to owners";
        counter(registry, "cfs.maintenance.blocks", maintenance, Maintenance::pulled, "action", "pulled", blocks);
        counter(registry, "cfs.maintenance.blocks", maintenance, Maintenance::pushed, "action", "pushed", blocks);
        counter(registry, "cfs.maintenance.blocks", maintenance, Maintenance::handedOff, "action", "handed_off", blocks);
        String traffic = "Bytes of maintenance requests sent and replies received, frames included";
        FunctionCounter.builder("cfs.maintenance.traffic", maintenance, Maintenance::bytesSent)
                .tag("direction", "sent").baseUnit("bytes").description(traffic).register(registry);
        FunctionCounter.builder("cfs.maintenance.traffic", maintenance, Maintenance::bytesReceived)
                .tag("direction", "received").baseUnit("bytes").description(traffic).register(registry);
        TimeGauge.builder("cfs.maintenance.since.last.round", maintenance, TimeUnit.NANOSECONDS,
                        m -> nanosOrNaN(m.sinceLastRound()))
                .description("Time since the last maintenance round ended; NaN before the first").register(registry);
        TimeGauge.builder("cfs.maintenance.last.round.duration", maintenance, TimeUnit.NANOSECONDS,
                        m -> nanosOrNaN(m.lastRoundTook()))
                .description("How long the last maintenance round took; NaN before the first").register(registry);

        if (store instanceof RocksBlockStore rocks) {
            rocksGauge(registry, rocks, "cfs.rocksdb.sst.files.size", "rocksdb.total-sst-files-size",
                    "Bytes of RocksDB's SST files, all column families");
            rocksGauge(registry, rocks, "cfs.rocksdb.blob.files.size", "rocksdb.total-blob-file-size",
                    "Bytes of RocksDB's blob files (large block values), all column families");
            rocksGauge(registry, rocks, "cfs.rocksdb.live.data.size", "rocksdb.estimate-live-data-size",
                    "RocksDB's estimate of the live data it holds, all column families");
        }
    }

    private static <T> void counter(MeterRegistry registry, String name, T source, ToDoubleFunction<T> count,
                                    String tag, String value, String description) {
        FunctionCounter.builder(name, source, count).tag(tag, value).description(description).register(registry);
    }

    private static void rocksGauge(MeterRegistry registry, RocksBlockStore rocks, String name, String property,
                                   String description) {
        Gauge.builder(name, rocks, r -> {
            long value = r.property(property);
            return value < 0 ? Double.NaN : value;
        }).baseUnit("bytes").description(description).register(registry);
    }

    private static double nanosOrNaN(Duration d) {
        return d == null ? Double.NaN : d.toNanos();
    }
}
