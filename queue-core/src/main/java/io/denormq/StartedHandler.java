package io.denormq;

import io.denormq.dispatch.HandlerRunner;

/**
 * The {@link HandlerContext} of one handler partition: what {@link HandlerSetup} tells the handler
 * in {@code onStart}, and, once its {@link HandlerRunner} exists, the way to that runner's dead letters.
 */
final class StartedHandler implements HandlerContext {
    private final String journalId;
    private final String handlerName;
    private final int partition;
    private final int partitionCount;
    private final RetryPolicy retryPolicy;
    private volatile HandlerRunner runner;

    StartedHandler(String journalId, String handlerName, int partition, int partitionCount, RetryPolicy retryPolicy) {
        this.journalId = journalId;
        this.handlerName = handlerName;
        this.partition = partition;
        this.partitionCount = partitionCount;
        this.retryPolicy = retryPolicy;
    }

    void attach(HandlerRunner handlerRunner) {
        this.runner = handlerRunner;
    }

    @Override
    public String journalId() {
        return journalId;
    }

    @Override
    public String handlerName() {
        return handlerName;
    }

    @Override
    public int partition() {
        return partition;
    }

    @Override
    public int partitionCount() {
        return partitionCount;
    }

    @Override
    public RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    @Override
    public void deadLetter(Message message, int attempts, Throwable failure) {
        HandlerRunner attached = runner;
        if (attached == null) {
            throw new IllegalStateException("Handler '" + handlerName + "' partition " + partition + " cannot dead-letter "
                    + "before its queue has started");
        }
        attached.deadLetterDelivered(message, attempts, failure);
    }

    @Override
    public String toString() {
        return "handler '" + handlerName + "' partition " + partition + " of " + partitionCount + ", journal " + journalId;
    }
}
