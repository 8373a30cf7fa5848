package io.denormq.recovery.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.denormq.Codecs;
import io.denormq.DenormQueue;
import io.denormq.DenormQueueBuilder;
import io.denormq.Headers;
import io.denormq.RetryPolicy;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The operator's commands against a real journal: read-only ones work while a queue holds the
 * journal, mutating ones refuse until it is closed.
 */
class OperatorCommandsTest {
    private Path journal;
    private volatile boolean totalsBroken = true;
    private final List<String> totals = new CopyOnWriteArrayList<>();

    /** Output and exit code of one command. */
    private record Run(int exitCode, String out, String err) {
    }

    @BeforeEach
    void createJournal() throws Exception {
        journal = Files.createTempDirectory("denormq-cli").resolve("journal");
        DenormQueue first = builder().handler("retired", message -> { }).build();
        first.close();
    }

    private DenormQueueBuilder builder() {
        return DenormQueue.builder(journal)
                .retry(RetryPolicy.of(2, Duration.ofMillis(1), Duration.ofMillis(1)))
                .handler("totals", message -> {
                    String payload = message.payload(Codecs.utf8());
                    if (totalsBroken && payload.equals("poison")) {
                        throw new IllegalStateException("cannot total " + payload);
                    }
                    totals.add(payload);
                });
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = DenormqCli.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    @Test
    void shouldInspectDumpAndTailAJournalInUseAndRefuseToChangeIt() throws Exception {
        DenormQueue queue = builder().build();
        try {
            queue.publish("orders", "c-1", "order-1".getBytes(StandardCharsets.UTF_8));
            for (String payload : List.of("poison", "order-2")) {
                queue.publish("orders", "c-1", payload.getBytes(StandardCharsets.UTF_8), Headers.of("tenant", "acme"));
            }
            assertThat(queue.awaitProcessed(Duration.ofSeconds(30))).isTrue();

            Run inspect = run("inspect", journal.toString());
            assertThat(inspect.exitCode()).isZero();
            assertThat(inspect.out()).contains("in use by    pid=" + ProcessHandle.current().pid())
                    .contains("released messages   3").contains("dead letters        1")
                    .contains("totals  cursor=").contains("retired  cursor=none  lag=3 message(s)")
                    .contains("DEAD_LETTER 1").containsPattern("free space   \\d+ MiB usable on the journal's file system");

            Run dump = run("dump", journal.toString());
            assertThat(dump.out().lines()).hasSize(3);
            assertThat(dump.out()).contains("payload=order-1").contains("payload=poison").contains("key=c-1");
            assertThat(dump.out().lines().filter(line -> line.contains("headers={tenant=acme}")))
                    .hasSize(2).allSatisfy(line -> assertThat(line).doesNotContain("payload=order-1"));
            String firstSequence = dump.out().lines().findFirst().orElseThrow().split(" ")[0].substring("seq=".length());
            assertThat(run("dump", journal.toString(), "--after", firstSequence).out().lines()).hasSize(2);

            Run tail = run("tail", journal.toString(), "-n", "1", "--for", "PT0.2S");
            assertThat(tail.out().lines()).hasSize(1);
            assertThat(tail.out()).contains("payload=order-2 headers={tenant=acme}");

            Run list = run("dead-letters", "list", journal.toString());
            assertThat(list.out()).contains("handler=totals").contains("payload=poison headers={tenant=acme} error=")
                    .contains("cannot total poison").contains("1 dead letter(s)");

            Run refused = run("dead-letters", "redrive", journal.toString(), "--all");
            assertThat(refused.exitCode()).isEqualTo(2);
            assertThat(refused.err()).contains("already open by another queue");
            assertThat(run("cursors", "drop", journal.toString(), "retired").exitCode()).isEqualTo(2);
        } finally {
            queue.close();
        }
    }

    @Test
    void shouldRedriveOfflineAndDeliverOnTheNextStart() throws Exception {
        DenormQueue queue = builder().build();
        queue.publish("orders", "c-1", "poison".getBytes(StandardCharsets.UTF_8));
        assertThat(queue.awaitProcessed(Duration.ofSeconds(30))).isTrue();
        queue.close();

        String index = run("dead-letters", "list", journal.toString()).out().lines().findFirst().orElseThrow()
                .split(" ")[0].substring("index=".length());
        Run redrive = run("dead-letters", "redrive", journal.toString(), "--index", index);
        assertThat(redrive.exitCode()).isZero();
        assertThat(redrive.out()).contains("1 dead letter(s) redriven");
        assertThat(run("dead-letters", "redrive", journal.toString(), "--index", index).err())
                .contains("No unsettled dead letter at journal index " + index);

        totalsBroken = false;
        DenormQueue fixed = builder().build();
        try {
            assertThat(fixed.awaitProcessed(Duration.ofSeconds(30))).isTrue();
            assertThat(totals).containsExactly("poison");
            assertThat(fixed.deadLetters()).isEmpty();
        } finally {
            fixed.close();
        }
    }

    @Test
    void shouldListAndDropARetiredHandlersCursor() {
        assertThat(run("cursors", "list", journal.toString()).out()).contains("retired partition=0/1 cursor=none")
                .contains("totals partition=0/1");
        Run drop = run("cursors", "drop", journal.toString(), "retired");
        assertThat(drop.exitCode()).isZero();
        assertThat(drop.out()).contains("dropped 1 cursor(s) of handler 'retired'");
        assertThat(run("cursors", "list", journal.toString()).out()).doesNotContain("retired");
        assertThat(run("cursors", "drop", journal.toString(), "retired").exitCode()).isEqualTo(1);
    }

    @Test
    void shouldRefuseToDropACursorOfAJournalWithoutCheckpointAndCreateNothing() throws Exception {
        Path checkpoint = journal.resolve("checkpoint.dat");
        Files.move(checkpoint, journal.resolveSibling("checkpoint.dat.damaged"));
        List<String> before;
        try (var files = Files.list(journal)) {
            before = files.map(file -> file.getFileName().toString()).sorted().toList();
        }

        Run drop = run("cursors", "drop", journal.toString(), "retired");

        assertThat(drop.exitCode()).isEqualTo(2);
        assertThat(drop.err()).contains(checkpoint.toString()).contains("no checkpoint file")
                .contains("replays every message");
        assertThat(checkpoint).doesNotExist();
        try (var files = Files.list(journal)) {
            assertThat(files.map(file -> file.getFileName().toString()).sorted().toList())
                    .as("nothing created").isEqualTo(before);
        }
    }

    @Test
    void shouldExplainADirectoryThatIsNotAJournal() throws Exception {
        Run run = run("inspect", Files.createTempDirectory("not-a-journal").resolve("missing").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("is not a directory");
    }
}
