package io.denormq.internal.dispatch;

import java.util.concurrent.ThreadFactory;

import io.denormq.ConfigurationException;

/**
 * Creates the queue's threads through the application's {@link ThreadFactory} and names them, so
 * that a thread dump shows which reader, handler or task each is. Internal.
 */
public final class QueueThreads {
    private QueueThreads() {
    }

    /**
     * @param factory the queue's thread factory
     * @param task    what the thread runs
     * @param name    the thread's name, set after the factory created it
     * @return the thread, not started
     * @throws ConfigurationException if the factory returned no thread
     */
    public static Thread create(ThreadFactory factory, Runnable task, String name) {
        Thread thread = factory.newThread(task);
        if (thread == null) {
            throw new ConfigurationException("threadFactory: returned no thread for " + name + "; a queue needs one "
                    + "thread per handler and reader, and one each for retention, periodic flushes and (when the queue "
                    + "flushes) forcing the blocks zero-filled ahead of the appender");
        }
        thread.setName(name);
        return thread;
    }
}
