package io.denormq;

import io.denormq.internal.dispatch.HandlerRunner;

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
    private final boolean async;
    /** Handed out before the runner exists (in onStart): forwards to it once attached. */
    private final Acknowledgements acknowledgements = new Acknowledgements() {
        @Override
        public void acknowledge(long sequence) {
            attached("acknowledge").acknowledge(sequence);
        }

        @Override
        public void acknowledgeUpTo(long sequence) {
            attached("acknowledge").acknowledgeUpTo(sequence);
        }

        @Override
        public void fail(Message message, Throwable failure) {
            attached("report a failure").fail(message, failure);
        }
    };

    StartedHandler(String journalId, String handlerName, int partition, int partitionCount, RetryPolicy retryPolicy,
                   boolean async) {
        this.async = async;
        this.journalId = journalId;
        this.handlerName = handlerName;
        this.partition = partition;
        this.partitionCount = partitionCount;
        this.retryPolicy = retryPolicy;
    }

    private Acknowledgements attached(String what) {
        HandlerRunner attached = runner;
        if (attached == null) {
            throw new IllegalStateException("Handler '" + handlerName + "' partition " + partition + " cannot " + what
                    + " before its queue has started");
        }
        return attached.acknowledgements();
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
    public Acknowledgements acknowledgements() {
        if (!async) {
            throw new IllegalStateException("Handler '" + handlerName + "' is a MessageHandler: its messages are "
                    + "acknowledged when onMessage (and onCaughtUp) return. Implement AsyncMessageHandler to acknowledge later");
        }
        return acknowledgements;
    }

    @Override
    public String toString() {
        return "handler '" + handlerName + "' partition " + partition + " of " + partitionCount + ", journal " + journalId;
    }
}
