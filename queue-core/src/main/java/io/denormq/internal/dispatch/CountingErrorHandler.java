package io.denormq.internal.dispatch;

import java.util.concurrent.atomic.AtomicLong;

import org.agrona.ErrorHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place background threads report failures to: logs each, counts them, never throws.
 */
public final class CountingErrorHandler implements ErrorHandler {
    private static final Logger LOG = LoggerFactory.getLogger(CountingErrorHandler.class);
    private final AtomicLong errors = new AtomicLong();
    private final String journal;

    /**
     * @param journal the journal directory, named in every log line
     */
    public CountingErrorHandler(String journal) {
        this.journal = journal;
    }

    @Override
    public void onError(Throwable throwable) {
        long count = errors.incrementAndGet();
        try {
            LOG.error("denormq background error #{} (journal {}): {}", count, journal, throwable.toString(), throwable);
        } catch (RuntimeException ignored) {
            // a broken logger must not kill the dispatch threads
        }
    }

    /** @return errors reported so far */
    public long count() {
        return errors.get();
    }
}
