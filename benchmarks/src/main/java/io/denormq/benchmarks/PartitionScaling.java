package io.denormq.benchmarks;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.denormq.DenormQueue;

/**
 * Throughput of a handler that sleeps 50 µs per message (a stand-in for a database round trip) as
 * 1, 2, 4, 8 and 16 partitions: each run replays the same journal ({@code rebuild}) over 1 000 keys.
 * A sleeping handler leaves the CPU free, so partitions scale past the core count until the reader
 * or the cores are the limit.
 *
 * <p>Arguments: {@code [messages=20000] [partitions=1,2,4,8,16] [sleepMicros=50]}.
 */
public final class PartitionScaling {
    private PartitionScaling() {
    }

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        String[] counts = (args.length > 1 ? args[1] : "1,2,4,8,16").split(",");
        long sleepNanos = TimeUnit.MICROSECONDS.toNanos(args.length > 2 ? Long.parseLong(args[2]) : 50);
        System.out.printf("%nPartition scaling: %d messages over 1000 keys, handler parks %d µs per message; %s%n",
                messages, TimeUnit.NANOSECONDS.toMicros(sleepNanos), Machine.describe());
        try (TempJournal temp = new TempJournal("partitions")) {
            try (DenormQueue queue = DenormQueue.builder(temp.dir()).build()) {
                for (int i = 0; i < messages; i++) {
                    queue.publish("t", "key-" + (i % 1000), "m".getBytes(StandardCharsets.UTF_8));
                }
            }
            System.out.printf("%-11s %12s %10s%n", "partitions", "messages/s", "vs 1");
            double one = 0;
            for (String count : counts) {
                int partitions = Integer.parseInt(count.trim());
                String name = "scaling-" + partitions;
                long start = System.nanoTime();
                try (DenormQueue queue = DenormQueue.builder(temp.dir())
                        .handler(name, partitions, partition -> message -> LockSupport.parkNanos(sleepNanos))
                        .rebuild(name).build()) {
                    if (!queue.awaitProcessed(Duration.ofMinutes(10))) {
                        throw new IllegalStateException(partitions + " partitions did not finish in 10 minutes");
                    }
                }
                double rate = messages / ((System.nanoTime() - start) / 1e9);
                if (one == 0) {
                    one = rate;
                }
                System.out.printf(Locale.ROOT, "%-11d %12.0f %10.2f%n", partitions, rate, rate / one);
            }
        }
    }
}
