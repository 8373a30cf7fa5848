package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.denormq.internal.journal.JournalIdentity;
import org.junit.jupiter.api.Test;

/**
 * The journal's identity: created with the journal, kept in its directory, the same after a restart,
 * and given to every handler partition in {@link MessageHandler#onStart}.
 */
class JournalIdentityTest extends QueueTestSupport {

    @Test
    void shouldKeepTheJournalsIdentityAcrossRestartsAndTellEveryHandlerPartition() throws Exception {
        List<String> started = new CopyOnWriteArrayList<>();
        DenormQueue queue = builder()
                .handler("single", starting(started))
                .handler("split", 3, partition -> starting(started))
                .build();
        String id = queue.journalId();
        queue.close();
        assertThat(UUID.fromString(id).toString()).isEqualTo(id);
        assertThat(Files.readString(journalDir.resolve(JournalIdentity.FILE_NAME)).trim()).isEqualTo(id);
        assertThat(started).containsExactly(id + " single 0/1", id + " split 0/3", id + " split 1/3", id + " split 2/3");

        started.clear();
        DenormQueue again = open(builder().handler("single", starting(started)));
        assertThat(again.journalId()).isEqualTo(id);
        assertThat(started).containsExactly(id + " single 0/1");
    }

    @Test
    void shouldRefuseToStartWhenAHandlerRefusesItsStart() {
        MessageHandler refusing = new MessageHandler() {
            @Override
            public void onMessage(Message message) {
            }

            @Override
            public void onStart(HandlerContext context) {
                throw new IllegalStateException("serves another queue already");
            }
        };
        assertThatThrownBy(() -> builder().handler("picky", refusing).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("'picky'")
                .hasMessageContaining("serves another queue already");
        // the directory was not left locked
        open(builder().handler("picky", message -> { })).close();
    }

    private static MessageHandler starting(List<String> started) {
        return new MessageHandler() {
            @Override
            public void onMessage(Message message) {
            }

            @Override
            public void onStart(HandlerContext context) {
                started.add(context.journalId() + " " + context.handlerName() + " " + context.partition() + "/"
                        + context.partitionCount());
            }
        };
    }
}
