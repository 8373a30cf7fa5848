package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** Each handler has a durable cursor and resumes after it; nothing it had not processed is skipped. */
class CursorRestartTest extends QueueTestSupport {

    @Test
    void shouldResumeAfterTheCursorOnRestart() throws Exception {
        Recorder first = new Recorder();
        DenormQueue queue = open(builder().handler("h", first));
        for (int i = 0; i < 100; i++) {
            queue.publish("t", "k", utf8("m" + i));
        }
        awaitProcessed(queue);
        queue.close();
        assertThat(first.payloads()).hasSize(100);

        Recorder second = new Recorder();
        DenormQueue reopened = open(builder().handler("h", second));
        for (int i = 100; i < 150; i++) {
            reopened.publish("t", "k", utf8("m" + i));
        }
        awaitProcessed(reopened);
        assertThat(second.payloads()).containsExactlyElementsOf(range(100, 150));
        assertThat(second.redelivered).containsOnly(false);
        assertThat(second.sequences.get(0)).isGreaterThan(first.sequences.get(99));
    }

    /**
     * After a power cut the checkpoint can claim records the journal lost (its page reached the disk
     * first): here the journal's cycle file is put back as it was before the last records, the
     * checkpoint kept. What is published after the restart must not be skipped as already processed.
     */
    @Test
    void shouldNotSkipNewMessagesWhenTheCursorIsPastTheJournal() throws Exception {
        DenormQueue queue = open(builder().handler("h", new Recorder()));
        for (int i = 0; i < 5; i++) {
            queue.publish("t", "k", utf8("m" + i));
        }
        awaitProcessed(queue);
        java.nio.file.Path cycleFile;
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(journalDir)) {
            cycleFile = files.filter(f -> f.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        java.nio.file.Path before = journalDir.resolveSibling("cycle-before-the-cut");
        java.nio.file.Files.copy(cycleFile, before);
        for (int i = 5; i < 20; i++) {
            queue.publish("t", "k", utf8("m" + i));
        }
        awaitProcessed(queue);
        queue.close();
        java.nio.file.Files.copy(before, cycleFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        Recorder afterCut = new Recorder();
        DenormQueue reopened = open(builder().handler("h", afterCut));
        for (int i = 100; i < 103; i++) {
            reopened.publish("t", "k", utf8("m" + i));
        }
        awaitProcessed(reopened);
        assertThat(afterCut.payloads()).as("published after the restart").containsExactly("m100", "m101", "m102");
    }

    @Test
    void shouldRedeliverWhatAHaltedHandlerHadNotAcknowledged() throws Exception {
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        List<String> firstRun = new ArrayList<>();
        DenormQueue queue = open(builder().shutdownTimeout(Duration.ofMillis(200)).handler("h", message -> {
            String payload = message.payload(Codecs.utf8());
            if (payload.equals("m50")) {
                blocked.countDown();
                never.await(); // stuck until shutdown interrupts it
                throw new InterruptedException("interrupted by shutdown");
            }
            firstRun.add(payload);
        }));
        Recorder healthy = new Recorder();
        for (int i = 0; i < 100; i++) {
            queue.publish("t", "k", utf8("m" + i));
        }
        assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
        queue.close();
        assertThat(firstRun).containsExactlyElementsOf(range(0, 50));

        Recorder second = new Recorder();
        DenormQueue reopened = open(builder().handler("h", second).handler("other", healthy));
        awaitProcessed(reopened);
        assertThat(second.payloads()).as("resumes at the message it was stuck on").startsWith("m50")
                .containsAll(range(50, 100)).doesNotContainAnyElementsOf(range(0, 49));
        assertThat(second.redelivered).containsOnly(true);
        assertThat(healthy.payloads()).as("a handler registered for the first time starts at the journal's end").isEmpty();
    }

    @Test
    void shouldKeepIndependentCursorsPerHandler() throws Exception {
        Recorder fast = new Recorder();
        CountDownLatch release = new CountDownLatch(1);
        DenormQueue queue = open(builder().shutdownTimeout(Duration.ofMillis(100))
                .handler("fast", fast)
                .handler("slow", message -> release.await()));
        for (int i = 0; i < 20; i++) {
            queue.publish("t", "k", utf8("m" + i));
        }
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (fast.payloads().size() < 20 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(fast.payloads()).as("a stuck handler does not hold back another").hasSize(20);
        queue.close();

        Recorder fastAgain = new Recorder();
        Recorder slowAgain = new Recorder();
        DenormQueue reopened = open(builder().handler("fast", fastAgain).handler("slow", slowAgain));
        awaitProcessed(reopened);
        assertThat(fastAgain.payloads()).isEmpty();
        assertThat(slowAgain.payloads()).containsExactlyElementsOf(range(0, 20));
        assertThat(reopened.cursors()).containsOnlyKeys("fast", "slow");
        assertThat(reopened.cursors().get("fast")).isEqualTo(reopened.cursors().get("slow"));
    }

    private static List<String> range(int from, int to) {
        List<String> result = new ArrayList<>();
        for (int i = from; i < to; i++) {
            result.add("m" + i);
        }
        return result;
    }
}
