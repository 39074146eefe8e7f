/**
 * Serving Prometheus metrics: {@link org.cfs.metrics.MetricsServer} answers {@code GET /metrics}
 * from a Micrometer {@code PrometheusMeterRegistry} that the node, the mount or the gateway fill.
 * It knows nothing of what is measured and must not depend on the command line or FUSE.
 */
package org.cfs.metrics;
