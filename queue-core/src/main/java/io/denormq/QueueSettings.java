package io.denormq;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadFactory;

import io.denormq.tx.TransactionBinding;
import net.openhft.chronicle.core.time.TimeProvider;

/**
 * A queue's configuration, checked and frozen by {@link DenormQueueBuilder#conclude()}: all a
 * queue receives of its builder, so that changing or reusing the builder after
 * {@link DenormQueueBuilder#build()} leaves a running queue as it was built. The collections are
 * unmodifiable copies that keep the registration order (handlers start in that order).
 *
 * @param journalDir           the journal directory, as given
 * @param durability           when batches are journaled
 * @param flushPolicy          when the journal is forced to disk
 * @param transactions         how the caller's transaction is found
 * @param handlers             the registered handlers by name, in registration order
 * @param retryPolicy          how failing handlers are retried
 * @param maxPayloadBytes      the largest payload accepted
 * @param ringSize             each handler partition's dispatch ring capacity
 * @param shutdownTimeout      how long close waits for committing transactions, and for handlers
 * @param retention            how long a cycle file is kept after its day, at least
 * @param idleMode             how dispatch threads wait for work
 * @param threadFactory        makes every thread the queue runs
 * @param clock                decides the journal's daily cycles
 * @param reservedSpaceBytes   the space kept free for records that complete what is journaled
 * @param lowSpaceWarningBytes the free space under which the queue warns
 * @param rebuilds             the handlers to rebuild, with the sequence each replay starts after
 * @param droppedCursors       the cursors of retired handlers to drop
 * @param codec                the default codec for typed messages, or null if none was set
 * @param publishInterceptor   adds headers at publish time, or null if none was set
 * @param handlerInterceptor   wraps every handler invocation, or null if none was set
 */
record QueueSettings(Path journalDir, Durability durability, FlushPolicy flushPolicy, TransactionBinding transactions,
                     Map<String, HandlerSpec> handlers, RetryPolicy retryPolicy, int maxPayloadBytes, int ringSize,
                     Duration shutdownTimeout, Duration retention, IdleMode idleMode, ThreadFactory threadFactory,
                     TimeProvider clock, long reservedSpaceBytes, long lowSpaceWarningBytes, Map<String, Long> rebuilds,
                     Set<String> droppedCursors, PayloadCodec codec, PublishInterceptor publishInterceptor,
                     HandlerInterceptor handlerInterceptor) {

    QueueSettings {
        handlers = Collections.unmodifiableMap(new LinkedHashMap<>(handlers));
        rebuilds = Collections.unmodifiableMap(new LinkedHashMap<>(rebuilds));
        droppedCursors = Collections.unmodifiableSet(new LinkedHashSet<>(droppedCursors));
    }
}
