package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.stream.Stream;

import io.denormq.internal.journal.CheckpointDescriptor;
import io.denormq.internal.journal.JournalFormat;
import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Bad input and misuse get a clear exception, and nothing already published is lost. */
class BadInputTest extends QueueTestSupport {

    @Test
    void shouldRejectMalformedMessagesAndKeepTheRestOfTheTransaction() throws Exception {
        Recorder recorder = new Recorder();
        DenormQueue queue = open(builder().maxPayloadBytes(1024).handler("h", recorder));
        try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
            queue.publish("t", "k", utf8("kept-1"));
            assertThatThrownBy(() -> queue.publish(null, "k", utf8("x")))
                    .isInstanceOf(InvalidMessageException.class).hasMessageContaining("topic must not be null or empty");
            assertThatThrownBy(() -> queue.publish("", "k", utf8("x")))
                    .isInstanceOf(InvalidMessageException.class).hasMessageContaining("topic must not be null or empty");
            assertThatThrownBy(() -> queue.publish("t", "k", (byte[]) null))
                    .isInstanceOf(InvalidMessageException.class).hasMessageContaining("payload must not be null");
            assertThatThrownBy(() -> queue.publish("t", "k", new byte[1025]))
                    .isInstanceOf(InvalidMessageException.class)
                    .hasMessageContaining("1025 bytes").hasMessageContaining("limit of 1024");
            assertThatThrownBy(() -> queue.publish("x".repeat(1025), "k", utf8("x")))
                    .isInstanceOf(InvalidMessageException.class).hasMessageContaining("over the limit of 1024");
            assertThatThrownBy(() -> queue.publish("t", "k", null, Codecs.utf8()))
                    .isInstanceOf(InvalidMessageException.class).hasMessageContaining("value must not be null");
            queue.publish("t", null, "kept-2", Codecs.utf8());
            queue.publish("t", "k", new byte[1024]);
            tx.commit(() -> { });
        }
        awaitProcessed(queue);
        assertThat(recorder.payloads()).hasSize(3).startsWith("kept-1", "kept-2");
        assertThat(recorder.keys).containsExactly("k", null, "k");
    }

    @Test
    void shouldRejectTooManyMessagesInOneTransaction() throws Exception {
        DenormQueue queue = open(builder().handler("h", new Recorder()));
        try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
            byte[] payload = new byte[1];
            for (int i = 0; i < 65_536; i++) {
                queue.publish("t", null, payload);
            }
            assertThatThrownBy(() -> queue.publish("t", null, payload))
                    .isInstanceOf(InvalidMessageException.class).hasMessageContaining("at most 65536 messages");
            tx.rollback();
        }
    }

    @Test
    void shouldJournalATransactionNearTheSizeLimitAndRefuseOneOverIt() throws Exception {
        java.util.concurrent.atomic.AtomicLong bytes = new java.util.concurrent.atomic.AtomicLong();
        DenormQueue queue = open(builder().handler("h", message -> bytes.addAndGet(message.payloadLength())));
        byte[] mebibyte = new byte[1 << 20];
        try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
            for (int i = 0; i < 7; i++) {
                queue.publish("t", "k", mebibyte);
            }
            assertThatThrownBy(() -> queue.publish("t", "k", mebibyte))
                    .isInstanceOf(InvalidMessageException.class).hasMessageContaining("limit of 8388608 bytes per transaction");
            tx.commit(() -> { });
        }
        awaitProcessed(queue);
        assertThat(bytes.get()).isEqualTo(7L << 20);
    }

    @Test
    void shouldRefusePublishingAfterClose() {
        DenormQueue queue = open(builder());
        queue.close();
        assertThatThrownBy(() -> queue.publish("t", "k", utf8("x")))
                .isInstanceOf(QueueClosedException.class).hasMessageContaining("closed").hasMessageContaining("'t'");
        queue.close(); // idempotent
    }

    @Test
    void shouldRefuseAJournalDirectoryThatIsAFile() throws Exception {
        Files.createDirectories(journalDir.getParent());
        Files.writeString(journalDir, "not a directory");
        assertThatThrownBy(() -> builder().build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(journalDir.toString()).hasMessageContaining("not a directory");
    }

    @Test
    void shouldRefuseAJournalDirectoryThatIsNotWritable() throws Exception {
        Files.createDirectories(journalDir);
        boolean root = "root".equals(System.getProperty("user.name"));
        // root ignores permission bits, but not the immutable attribute
        ProcessBuilder lock = root ? new ProcessBuilder("chattr", "+i", journalDir.toString())
                : new ProcessBuilder("chmod", "500", journalDir.toString());
        Assumptions.assumeTrue(lock.inheritIO().start().waitFor() == 0, "cannot make a directory read-only here");
        try {
            assertThatThrownBy(() -> builder().build())
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining(journalDir.toString()).hasMessageContaining("not writable");
        } finally {
            new ProcessBuilder(root ? new String[] {"chattr", "-i", journalDir.toString()}
                    : new String[] {"chmod", "700", journalDir.toString()}).inheritIO().start().waitFor();
        }
    }

    @Test
    void shouldRefuseASecondQueueOnTheSameDirectoryInThisProcess() {
        open(builder());
        assertThatThrownBy(() -> builder().build())
                .isInstanceOf(JournalLockedException.class)
                .hasMessageContaining("already open by another queue in this process")
                .hasMessageContaining("pid " + ProcessHandle.current().pid());
    }

    @Test
    void shouldRefuseAJournalOfAnotherFormatVersion() throws Exception {
        open(builder()).close();
        Files.writeString(journalDir.resolve(JournalFormat.FILE_NAME), "denormq-journal-format=99\n");
        assertThatThrownBy(() -> builder().build())
                .isInstanceOf(IncompatibleJournalException.class)
                .hasMessageContaining("denormq-journal-format=99").hasMessageContaining("denormq-journal-format=1");
        // It did not keep the directory locked: a correct marker opens again.
        Files.writeString(journalDir.resolve(JournalFormat.FILE_NAME), "denormq-journal-format=1\n");
        open(builder());
    }

    @Test
    void shouldRefuseADamagedCheckpointFileNamingIt() throws Exception {
        open(builder()).close();
        Path checkpoint = journalDir.resolve(CheckpointDescriptor.FILE_NAME);
        Files.write(checkpoint, new byte[100]);
        assertThatThrownBy(() -> builder().build())
                .isInstanceOf(IncompatibleJournalException.class)
                .hasMessageContaining(checkpoint.toString()).hasMessageContaining("Move it away");
    }

    @Test
    void shouldCreateTheJournalReadableByItsOwnerOnly() throws Exception {
        DenormQueue queue = open(builder().handler("h", new Recorder()));
        queue.publish("t", "k", utf8("x"));
        awaitProcessed(queue);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(journalDir))).isEqualTo("rwx------");
        // The directory shuts everybody else out at once; Chronicle reports some file acquisitions
        // from a background thread, so a new cycle file may be restricted a moment after it appears.
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (!allOwnerOnly(journalDir) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        try (Stream<Path> files = Files.list(journalDir)) {
            assertThat(files.toList()).allSatisfy(file -> assertThat(PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(file))).as(file.toString()).isEqualTo("rw-------"));
        }
    }

    private static boolean allOwnerOnly(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                if (!PosixFilePermissions.toString(Files.getPosixFilePermissions(file)).equals("rw-------")) {
                    return false;
                }
            }
            return true;
        }
    }

    @Test
    void shouldNameTheSettingAndTheAllowedRangeInConfigurationErrors() {
        assertThatThrownBy(() -> builder().ringSize(100).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("ringSize").hasMessageContaining("100");
        assertThatThrownBy(() -> builder().maxPayloadBytes(0).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("maxPayloadBytes");
        assertThatThrownBy(() -> builder().handler("h", m -> { }).handler("h", m -> { }))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("'h' is registered twice");
        assertThatThrownBy(() -> builder().handler(" ", m -> { }).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("blank");
        assertThatThrownBy(() -> builder().handler("n".repeat(200), m -> { }).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("at most 104");
        assertThatThrownBy(() -> builder().durability(null).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("durability");
        assertThatThrownBy(() -> RetryPolicy.of(0, Duration.ZERO, Duration.ZERO))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("maxAttempts");
        assertThatThrownBy(() -> FlushPolicy.periodic(Duration.ZERO))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("at least 1 ms");
        assertThat(Files.exists(journalDir)).as("nothing is created for an invalid configuration").isFalse();
    }

    @Test
    void shouldRoundTripTheBuiltInCodecs() {
        byte[] encoded = Codecs.utf8().encode("grüße");
        assertThat(new String(encoded, StandardCharsets.UTF_8)).isEqualTo("grüße");
        assertThat(Codecs.utf8().decode(encoded, 0, encoded.length)).isEqualTo("grüße");
        byte[] bytes = {1, 2, 3};
        assertThat(Codecs.bytes().decode(bytes, 1, 2)).containsExactly(2, 3);
    }
}
