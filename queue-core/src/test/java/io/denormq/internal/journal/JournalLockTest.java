package io.denormq.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lock file's content, written by the holder and read without taking the lock. */
class JournalLockTest {
    @TempDir
    Path directory;

    @Test
    void shouldNameTheHolderWhileHeldAndNobodyOnceClosed() throws Exception {
        Instant before = Instant.now();
        try (JournalLock lock = JournalLock.acquire(directory)) {
            JournalLock.Holder holder = JournalLock.holder(directory).orElseThrow();
            assertThat(holder.pid()).isEqualTo(ProcessHandle.current().pid());
            assertThat(holder.since()).isBetween(before, Instant.now());
            assertThat(holder.isAlive()).isTrue();
            assertThat(holder.toString()).isEqualTo("pid=" + holder.pid() + " since=" + holder.since());
        }
        assertThat(JournalLock.holder(directory)).as("a clean close empties the lock file").isEmpty();
    }

    @Test
    void shouldReadNoHolderFromAMissingPartialOrForeignLockFile() throws Exception {
        assertThat(JournalLock.holder(directory)).as("no lock file").isEmpty();
        Path file = directory.resolve(JournalLock.FILE_NAME);
        for (String content : new String[] {"", "pid=12", "pid=12\nsince=", "pid=x\nsince=2026-12-01T00:00:00Z\n",
                "something else\n"}) {
            Files.writeString(file, content, StandardCharsets.UTF_8);
            assertThat(JournalLock.holder(directory)).as("lock file content %s", content).isEmpty();
        }
        Files.writeString(file, "pid=12\nsince=2026-12-01T00:00:00Z\n", StandardCharsets.UTF_8);
        assertThat(JournalLock.holder(directory)).contains(new JournalLock.Holder(12, Instant.parse("2026-12-01T00:00:00Z")));
    }
}
