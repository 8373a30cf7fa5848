package io.denormq.tx.spring.boot;

import io.denormq.HandlerContext;
import io.denormq.Message;
import io.denormq.MessageHandler;

/**
 * The handler a listener method is registered as (one per partition): passes over the messages of
 * topics the method does not receive — returning acknowledges them, with no call and no transaction —
 * and hands the others to the method, directly or through the exactly-once adapter. The bean is
 * awaited here, before the adapter opens a transaction, so that no connection is held while the
 * context is still starting.
 */
final class ListenerHandler implements MessageHandler {
    private final ListenerMethod listener;
    private final ListenerInvoker invoker;
    private final MessageHandler delegate;

    /**
     * @param listener the method
     * @param invoker  calls it
     * @param delegate the invoker itself, or the exactly-once adapter around it
     */
    ListenerHandler(ListenerMethod listener, ListenerInvoker invoker, MessageHandler delegate) {
        this.listener = listener;
        this.invoker = invoker;
        this.delegate = delegate;
    }

    @Override
    public void onMessage(Message message) throws Exception {
        if (listener.receives(message.topic())) {
            invoker.awaitBean();
            delegate.onMessage(message);
        }
    }

    @Override
    public void onCaughtUp() throws Exception {
        delegate.onCaughtUp();
    }

    @Override
    public void onStart(HandlerContext context) throws Exception {
        delegate.onStart(context);
    }

    @Override
    public void onRebuild(long afterSequence) throws Exception {
        delegate.onRebuild(afterSequence);
    }

    @Override
    public String toString() {
        return "@DenormqListener " + listener.describe();
    }
}
