package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** A built queue keeps the settings it was built with, whatever happens to its builder afterwards. */
class BuilderReuseTest extends QueueTestSupport {

    @Test
    void shouldKeepItsSettingsWhenTheBuilderChangesAfterBuild() throws Exception {
        Recorder first = new Recorder();
        DenormQueueBuilder builder = builder().maxPayloadBytes(16).lowSpaceWarning(0).handler("h", first);
        DenormQueue queue = open(builder);

        builder.maxPayloadBytes(8).lowSpaceWarning(Long.MAX_VALUE).flush(FlushPolicy.everyCommit())
                .handler("added", new Recorder()).dropCursor("retired").shutdownTimeout(Duration.ZERO);

        queue.publish("t", "k", utf8("twelve bytes"));
        awaitProcessed(queue);
        assertThat(first.payloads()).containsExactly("twelve bytes");
        assertThat(queue.cursors()).containsOnlyKeys("h");
        assertThat(queue.stats().journalSpaceLow()).as("the warning threshold it was built with, zero").isFalse();
        assertThat(queue.toString()).contains("flush none");
    }

    @Test
    void shouldBuildTheNextQueueWithTheBuildersNewSettings() throws Exception {
        DenormQueueBuilder builder = builder().maxPayloadBytes(16).lowSpaceWarning(0).handler("h", new Recorder());
        open(builder).close();

        Recorder added = new Recorder();
        builder.maxPayloadBytes(8).lowSpaceWarning(Long.MAX_VALUE).handler("added", added);
        DenormQueue next = open(builder);

        assertThatThrownBy(() -> next.publish("t", "k", utf8("twelve bytes")))
                .isInstanceOf(InvalidMessageException.class).hasMessageContaining("limit of 8 bytes");
        next.publish("t", "k", utf8("eight by"));
        awaitProcessed(next);
        assertThat(added.payloads()).containsExactly("eight by");
        assertThat(next.cursors()).containsOnlyKeys("h", "added");
        assertThat(next.stats().journalSpaceLow()).isTrue();
    }

    @Test
    void shouldConcludeIntoACopyThatLaterRegistrationsDoNotReach() {
        DenormQueueBuilder builder = builder().handler("h", new Recorder()).rebuild("h").dropCursor("retired");
        QueueSettings settings = builder.conclude();

        builder.handler("added", new Recorder()).rebuildAfter("added", 5).dropCursor("another").maxPayloadBytes(8);

        assertThat(settings.handlers()).containsOnlyKeys("h");
        assertThat(settings.rebuilds()).containsOnlyKeys("h");
        assertThat(settings.droppedCursors()).containsExactly("retired");
        assertThat(settings.maxPayloadBytes()).isEqualTo(DenormQueueBuilder.DEFAULT_MAX_PAYLOAD_BYTES);
        assertThatThrownBy(() -> settings.handlers().remove("h")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> settings.droppedCursors().clear()).isInstanceOf(UnsupportedOperationException.class);
    }
}
