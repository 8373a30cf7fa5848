package io.denormq;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A publishing child JVM runs into a full journal file system (a small tmpfs and a ballast file),
 * is killed with {@code kill -9} while its transactions are being refused, and the queue restarts
 * with the space back: every message whose commit returned is delivered, and no {@link Error}
 * reached the child's application code.
 */
class FullDiskCrashTest extends QueueTestSupport {
    @ParameterizedTest
    @EnumSource(Durability.class)
    void shouldLoseNothingCommittedWhenKilledOnAFullDisk(Durability durability) throws Exception {
        Path log = journalDir.resolveSibling("full-disk-child.log");
        try (SmallFileSystem fs = SmallFileSystem.mount(journalDir.resolveSibling("small-fs"), 48)) {
            Path journal = fs.root().resolve("journal");
            long ballast;
            try (ChildJvm child = ChildJvm.start(CrashChild.class, "publish", journal.toString(), durability.name(), "0",
                    log.toString())) {
                child.awaitReady(60);
                long started = System.nanoTime();
                while (count(log, "C ") < 1000 && System.nanoTime() - started < 60_000_000_000L) {
                    Thread.sleep(10); // the day's file exists and the child is committing before the disk fills
                }
                ballast = fs.fill();
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (count(log, "F ") < 20 && count(log, "E ") == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                Thread.sleep(ThreadLocalRandom.current().nextInt(300));
                child.kill9();
            }
            fs.free();
            Set<Long> committed = new HashSet<>();
            Set<Long> processed = new HashSet<>();
            for (String line : Files.readAllLines(log, StandardCharsets.US_ASCII)) {
                // the kill may cut the last line short: "C " without its number names nothing, "C 12" of
                // "C 1234" names an earlier commit (numbers ascend), so only a line without digits is skipped
                if (line.length() > 2 && line.startsWith("C ")) {
                    committed.add(Long.parseLong(line.substring(2)));
                } else if (line.length() > 2 && line.startsWith("D ")) {
                    processed.add(Long.parseLong(line.substring(2)));
                }
            }
            Recorder recorder = new Recorder();
            try (DenormQueue restarted = DenormQueue.builder(journal).durability(durability).handler("h", recorder)
                    .build()) {
                awaitProcessed(restarted);
            }
            recorder.payloads().forEach(payload -> processed.add(Long.parseLong(payload)));
            List<Long> lost = committed.stream().filter(n -> !processed.contains(n)).sorted().toList();
            long refused = count(log, "F ");
            System.out.printf("full disk + kill -9 %s: ballast %d KiB, %d committed, %d refused while full, %d lost%n",
                    durability, ballast / 1024, committed.size(), refused, lost.size());
            assertThat(count(log, "E ")).as("Errors in the child's application code").isZero();
            assertThat(refused).as("transactions refused while the journal was full").isPositive();
            assertThat(lost).as("committed but never delivered").isEmpty();
        }
    }

    private static long count(Path log, String prefix) throws java.io.IOException {
        if (!Files.exists(log)) {
            return 0;
        }
        try (java.util.stream.Stream<String> lines = Files.lines(log, StandardCharsets.US_ASCII)) {
            return lines.filter(line -> line.startsWith(prefix)).count();
        }
    }
}
