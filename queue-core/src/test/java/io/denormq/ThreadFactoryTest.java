package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;

import org.junit.jupiter.api.Test;

/** Every thread a queue runs comes from the builder's thread factory, named after its job. */
class ThreadFactoryTest extends QueueTestSupport {

    @Test
    void shouldCreateEveryThreadThroughTheFactoryAndNameIt() throws Exception {
        List<Thread> created = new CopyOnWriteArrayList<>();
        ThreadGroup group = new ThreadGroup("application");
        ThreadFactory factory = task -> {
            Thread thread = new Thread(group, task);
            thread.setDaemon(true);
            created.add(thread);
            return thread;
        };
        Recorder recorder = new Recorder();
        try (DenormQueue queue = builder().threadFactory(factory).flush(FlushPolicy.periodic(Duration.ofMillis(20)))
                .handler("h", recorder).build()) {
            queue.publish("t", "k", utf8("one"));
            awaitProcessed(queue);
            assertThat(recorder.payloads()).containsExactly("one");
            assertThat(created).extracting(Thread::getName).containsExactlyInAnyOrder("denormq-reader-h",
                    "denormq-handler-h", "denormq-releases", "denormq-retention", "denormq-flusher", "denormq-space");
            assertThat(created).allMatch(Thread::isAlive);
        }
        for (Thread thread : created) {
            thread.join(10_000);
        }
        assertThat(created).as("threads left running after close").noneMatch(Thread::isAlive);
    }

    @Test
    void shouldRefuseAFactoryThatMakesNoThreadAndLeaveTheDirectoryFree() throws Exception {
        assertThatThrownBy(() -> builder().threadFactory(task -> null).handler("h", new Recorder()).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("threadFactory");
        assertThatThrownBy(() -> builder().threadFactory(null).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("threadFactory");
        try (DenormQueue queue = builder().handler("h", new Recorder()).build()) {
            assertThat(queue.stats().handlers()).hasSize(1);
        }
    }

    @Test
    void shouldStopTheDispatchThreadsWhenABackgroundTaskCannotStart() throws Exception {
        List<Thread> created = new CopyOnWriteArrayList<>();
        // the reader's and the handler's threads are created first, then the release writer's, then the
        // flusher's: the fourth is refused, and the three started must stop
        ThreadFactory factory = task -> {
            if (created.size() == 3) {
                return null;
            }
            Thread thread = new Thread(task);
            thread.setDaemon(true);
            created.add(thread);
            return thread;
        };
        assertThatThrownBy(() -> builder().threadFactory(factory).flush(FlushPolicy.periodic(Duration.ofMillis(20)))
                .handler("h", new Recorder()).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("denormq-flusher");
        assertThat(created).hasSize(3);
        for (Thread thread : created) {
            thread.join(10_000);
        }
        assertThat(created).as("dispatch threads left running after a failed start").noneMatch(Thread::isAlive);
        Recorder recorder = new Recorder();
        try (DenormQueue queue = builder().handler("h", recorder).build()) {
            queue.publish("t", "k", utf8("after"));
            awaitProcessed(queue);
            assertThat(recorder.payloads()).containsExactly("after");
        }
    }
}
