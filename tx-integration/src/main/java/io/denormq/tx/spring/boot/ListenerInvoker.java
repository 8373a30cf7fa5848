package io.denormq.tx.spring.boot;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.denormq.Message;
import io.denormq.MessageHandler;
import org.springframework.beans.factory.BeanFactory;

/**
 * Calls one listener method on its bean. The bean is {@link #resolve resolved} once every singleton
 * of the context exists; a message that arrives before (the queue starts while the context is still
 * being created, and recovery may have messages to deliver at once) waits for it on the handler's
 * thread, without holding any lock the context's creation needs. Thread-safe: the partitions of a
 * partitioned listener share one invoker.
 */
final class ListenerInvoker implements MessageHandler {
    private static final long WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final ListenerMethod listener;
    private volatile Object bean;
    private volatile Method invocable;

    /**
     * @param listener the method to call
     */
    ListenerInvoker(ListenerMethod listener) {
        this.listener = listener;
    }

    /**
     * Looks the bean up: called on the thread that creates the context, once every singleton exists.
     *
     * @param beans the bean factory
     * @throws io.denormq.ConfigurationException if the method cannot be called on the bean (a proxy that does
     *                                            not expose it)
     */
    void resolve(BeanFactory beans) {
        Object target = beans.getBean(listener.beanName());
        invocable = listener.invocableOn(target.getClass());
        bean = target; // last: publishes the method to the handler threads that wait for the bean
    }

    /**
     * Waits until the bean is resolved. The queue's close interrupts a handler thread that does not
     * finish in time (a context that failed to start never resolves it): the message is then not
     * acknowledged and is delivered again on the next start.
     *
     * @throws InterruptedException if the thread was interrupted while waiting
     */
    void awaitBean() throws InterruptedException {
        while (bean == null) {
            LockSupport.parkNanos(WAIT_NANOS);
            if (Thread.interrupted()) {
                throw new InterruptedException("@DenormqListener " + listener.describe()
                        + ": interrupted while waiting for the application context to create the bean");
            }
        }
    }

    @Override
    public void onMessage(Message message) throws Exception {
        awaitBean();
        try {
            invocable.invoke(bean, listener.arguments(message));
        } catch (InvocationTargetException thrown) {
            Throwable cause = thrown.getCause();
            if (cause instanceof Exception exception) {
                throw exception;
            }
            throw (Error) cause; // a method throws only exceptions and errors
        }
    }
}
