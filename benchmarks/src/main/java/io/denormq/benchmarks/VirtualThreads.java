package io.denormq.benchmarks;

import java.util.concurrent.ThreadFactory;

/** Virtual threads for the harnesses that compare them with platform threads; the code compiles for 17. */
final class VirtualThreads {
    private VirtualThreads() {
    }

    /** @return a factory of virtual threads on JDK 21 and later (looked up reflectively), else null */
    static ThreadFactory factoryOrNull() {
        if (Runtime.version().feature() < 21) {
            return null;
        }
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            return (ThreadFactory) Class.forName("java.lang.Thread$Builder").getMethod("factory").invoke(builder);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("JDK " + Runtime.version() + " should have virtual threads", e);
        }
    }
}
