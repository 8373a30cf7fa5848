package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;

import io.denormq.internal.journal.Journal;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;

/**
 * What a power cut across midnight can leave, built deterministically: the next day's file holds
 * records, but the previous day's file lost its end-of-file marker (written at the roll, never
 * flushed) and Chronicle's directory listing in {@code metadata.cq4t} is from before the new day.
 * A restarted handler must go on to the new day's records at once, not wait at the old day's end
 * until something new is appended ({@link PowerCutTest} saw that once in about 36 rollover cycles).
 */
class DayWithoutEndTest extends QueueTestSupport {
    private static final Instant DAY_ONE = Instant.parse("2031-05-01T12:00:00Z");
    private static final Instant DAY_TWO = Instant.parse("2031-05-02T09:00:00Z");
    private static final int END_OF_DATA = 0xC0000000;

    @Test
    void shouldDeliverTheNextDaysRecordsWhenTheDayBeforeLostItsEndMarker() throws Exception {
        Recorder dayOne = new Recorder();
        try (DenormQueue queue = builder().clock(new RunningClock(DAY_ONE)).flush(FlushPolicy.everyCommit())
                .handler("h", dayOne).build()) {
            for (int i = 0; i < 5; i++) {
                queue.publish("day", "k", utf8("day-one-" + i));
            }
            awaitProcessed(queue);
        }
        assertThat(dayOne.payloads()).hasSize(5);
        Path metadata = journalDir.resolve("metadata.cq4t");
        byte[] listingBeforeDayTwo = Files.readAllBytes(metadata);

        // day two: a process commits (its handler holds every message) and is killed
        Path outcome = journalDir.resolveSibling("outcome.log");
        Files.createFile(outcome);
        try (ChildJvm child = ChildJvm.start(PowerCutChild.class, "mode=hold", "flush=everyCommit",
                "journal=" + journalDir, "outcome=" + outcome, "first=1000", "threads=1", "clock=" + DAY_TWO)) {
            child.awaitReady(60);
            Thread.sleep(700);
            child.kill9();
        }
        Set<String> acknowledged = new TreeSet<>();
        for (String line : Files.readAllLines(outcome, StandardCharsets.US_ASCII)) {
            if (line.startsWith("C ")) {
                acknowledged.add(line.split(" ")[1]);
            }
        }
        assertThat(acknowledged).as("commits of day two").isNotEmpty();

        // what the disk can hold after a power cut: the listing from before day two, day one without its end
        Files.write(metadata, listingBeforeDayTwo);
        removeEndOfFileMarker(Journal.ROLL_CYCLE.toCycle(dayOneIndex()));

        Recorder restarted = new Recorder();
        try (DenormQueue queue = builder().clock(new RunningClock(DAY_TWO.plusSeconds(3600)))
                .flush(FlushPolicy.everyCommit()).handler("h", restarted).build()) {
            long deadline = System.nanoTime() + AWAIT.toNanos();
            while (!restarted.payloads().containsAll(acknowledged) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            // nothing is published after the restart: an append would let a waiting reader move on
            assertThat(restarted.payloads()).as("day two's acknowledged commits, delivered after the restart without "
                    + "a new append").containsAll(acknowledged);
        }
    }

    private long dayOneIndex() {
        try (SingleChronicleQueue queue = readOnly()) {
            return queue.firstIndex();
        }
    }

    /** Zeroes the end-of-file marker that follows the last record of a day, checking it is one. */
    private void removeEndOfFileMarker(int cycle) throws Exception {
        long end = -1;
        try (SingleChronicleQueue queue = readOnly(); ExcerptTailer tailer = queue.createTailer()) {
            while (true) {
                try (DocumentContext document = tailer.readingDocument()) {
                    if (!document.isPresent() || Journal.ROLL_CYCLE.toCycle(document.index()) != cycle) {
                        break;
                    }
                    end = document.wire().bytes().readLimit();
                }
            }
        }
        assertThat(end).as("the end of day %d's last record", cycle).isPositive();
        long marker = (end + 3) & ~3L; // headers are 4-byte aligned
        Path file = journalDir.resolve(Journal.cycleFileName(cycle));
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer header = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(header, marker);
            assertThat(header.getInt(0)).as("the header after day %d's last record, at %d", cycle, marker)
                    .isEqualTo(END_OF_DATA);
            channel.write(ByteBuffer.allocate(4), marker);
            channel.force(true);
        }
    }

    private SingleChronicleQueue readOnly() {
        return SingleChronicleQueueBuilder.binary(journalDir).rollCycle(Journal.ROLL_CYCLE).blockSize(Journal.BLOCK_SIZE)
                .readOnly(true).build();
    }
}
