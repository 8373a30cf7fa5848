package io.denormq.internal.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import io.denormq.QueueClosedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An append after the journal closed is refused as such, and writes nothing. */
class JournalCloseTest {
    private static final byte[] RELEASE = {JournalRecordDescriptor.KIND_RELEASE, 0, 0, 0, 0, 0, 0, 0};

    @TempDir
    Path directory;

    @Test
    void shouldRefuseAnAppendAfterCloseWithQueueClosedExceptionNamingTheRecord() {
        long last;
        Journal journal = Journal.open(directory, false);
        try {
            last = journal.append(RELEASE, RELEASE.length);
        } finally {
            journal.close();
        }
        assertThatThrownBy(() -> journal.append(RELEASE, RELEASE.length)).isInstanceOf(QueueClosedException.class)
                .hasMessageContaining("is closed").hasMessageContaining("RELEASE");
        try (Journal reopened = Journal.open(directory, true)) {
            assertThat(reopened.lastIndex()).as("nothing written after the close").isEqualTo(last);
        }
    }
}
