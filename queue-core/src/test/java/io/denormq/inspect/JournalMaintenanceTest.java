package io.denormq.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.denormq.Codecs;
import io.denormq.DeadLetter;
import io.denormq.DenormQueue;
import io.denormq.DenormQueueBuilder;
import io.denormq.JournalException;
import io.denormq.JournalLockedException;
import io.denormq.QueueTestSupport;
import org.junit.jupiter.api.Test;

/** The maintenance API: refused while a queue holds the journal; what it writes, the next queue acts on. */
class JournalMaintenanceTest extends QueueTestSupport {
    private volatile boolean broken = true;
    private final List<String> totals = new CopyOnWriteArrayList<>();
    private final List<String> audit = new CopyOnWriteArrayList<>();

    private DenormQueueBuilder queueBuilder() {
        return builder()
                .handler("totals", message -> {
                    String payload = message.payload(Codecs.utf8());
                    if (broken && payload.equals("poison")) {
                        throw new IllegalStateException("cannot total " + payload);
                    }
                    totals.add(payload);
                })
                .handler("audit", message -> audit.add(message.payload(Codecs.utf8())));
    }

    private DeadLetter poisonThenClose() throws Exception {
        DenormQueue queue = open(queueBuilder());
        queue.publish("orders", "c-1", utf8("good"));
        queue.publish("orders", "c-1", utf8("poison"));
        awaitProcessed(queue);
        DeadLetter deadLetter = queue.deadLetters().get(0);
        queue.close();
        totals.clear();
        audit.clear();
        return deadLetter;
    }

    @Test
    void shouldRefuseWhileAQueueHoldsTheJournalNamingTheHolder() throws Exception {
        DenormQueue queue = open(queueBuilder());
        queue.publish("orders", "c-1", utf8("poison"));
        awaitProcessed(queue);

        assertThatThrownBy(() -> JournalMaintenance.open(journalDir)).isInstanceOf(JournalLockedException.class)
                .hasMessageContaining("pid " + ProcessHandle.current().pid());
        assertThat(queue.deadLetters()).as("nothing settled").hasSize(1);
    }

    @Test
    void shouldHoldTheJournalSoThatNoQueueStartsMeanwhile() throws Exception {
        poisonThenClose();
        try (JournalMaintenance maintenance = JournalMaintenance.open(journalDir)) {
            assertThat(maintenance.deadLetters()).hasSize(1);
            assertThatThrownBy(() -> queueBuilder().build()).isInstanceOf(JournalLockedException.class);
        }
    }

    @Test
    void shouldRedriveOnAClosedJournalAndTheNextQueueDeliversItToItsHandlerOnly() throws Exception {
        DeadLetter deadLetter = poisonThenClose();
        try (JournalMaintenance maintenance = JournalMaintenance.open(journalDir)) {
            assertThat(maintenance.redrive(deadLetter.journalIndex())).isEqualTo(deadLetter);
            assertThatThrownBy(() -> maintenance.redrive(deadLetter.journalIndex()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("No unsettled dead letter at journal index "
                            + Long.toHexString(deadLetter.journalIndex()));
            assertThat(maintenance.deadLetters()).isEmpty();
        }
        try (JournalInspector inspector = JournalInspector.open(journalDir)) {
            assertThat(inspector.deadLetters()).isEmpty();
        }

        broken = false;
        DenormQueue fixed = open(queueBuilder());
        awaitProcessed(fixed);
        assertThat(totals).containsExactly("poison");
        assertThat(audit).as("other handlers are not disturbed").isEmpty();
        assertThat(fixed.deadLetters()).isEmpty();
    }

    @Test
    void shouldDiscardOnAClosedJournalAndTheNextQueueNeitherListsNorDeliversIt() throws Exception {
        DeadLetter deadLetter = poisonThenClose();
        try (JournalMaintenance maintenance = JournalMaintenance.open(journalDir)) {
            assertThat(maintenance.discard(deadLetter.journalIndex())).isEqualTo(deadLetter);
            assertThatThrownBy(() -> maintenance.discard(deadLetter.journalIndex()))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        broken = false;
        DenormQueue next = open(queueBuilder());
        awaitProcessed(next);
        assertThat(next.deadLetters()).isEmpty();
        assertThat(totals).isEmpty();
    }

    @Test
    void shouldDropACursorSoThatTheNextQueueStartsThatHandlerAtTheEnd() throws Exception {
        poisonThenClose();
        try (JournalMaintenance maintenance = JournalMaintenance.open(journalDir)) {
            assertThat(maintenance.dropCursor("audit")).singleElement().satisfies(cursor -> {
                assertThat(cursor.handler()).isEqualTo("audit");
                assertThat(cursor.sequence()).isNotEqualTo(Cursor.NONE);
            });
            assertThat(maintenance.dropCursor("audit")).as("already dropped").isEmpty();
            assertThat(maintenance.dropCursor("never-registered")).isEmpty();
        }
        try (JournalInspector inspector = JournalInspector.open(journalDir)) {
            assertThat(inspector.cursors()).extracting(Cursor::handler).containsExactly("totals");
        }
        DenormQueue next = open(queueBuilder());
        awaitProcessed(next);
        assertThat(audit).as("a handler without cursor starts at the end of the journal").isEmpty();
        next.publish("orders", "c-1", utf8("new"));
        awaitProcessed(next);
        assertThat(audit).containsExactly("new");
    }

    @Test
    void shouldRefuseToDropACursorOfAJournalWithoutCheckpoint() throws Exception {
        poisonThenClose();
        java.nio.file.Files.move(journalDir.resolve("checkpoint.dat"), journalDir.resolveSibling("checkpoint.dat.moved"));
        try (JournalMaintenance maintenance = JournalMaintenance.open(journalDir)) {
            assertThatThrownBy(() -> maintenance.dropCursor("audit")).isInstanceOf(JournalException.class)
                    .hasMessageContaining("no checkpoint file");
        }
        assertThat(journalDir.resolve("checkpoint.dat")).doesNotExist();
    }
}
