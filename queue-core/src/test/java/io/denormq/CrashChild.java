package io.denormq;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;

/**
 * The child process of the crash tests. {@code publish DIR DURABILITY FIRST LOG}: runs a handler "h"
 * that logs {@code D <n>} for every message it processed, and publishes numbered messages in committed
 * transactions of 1 to 3 messages, logging {@code C <n>} for each once its commit returned, until
 * killed; a transaction that is refused (a full journal) is logged {@code F <exception>} and the loop
 * goes on, an {@link Error} is logged {@code E <error>}. The log is written with one unbuffered write per entry, so it survives {@code kill -9}
 * (a pipe to the parent does not reliably: the JDK may drop what is in flight when the child dies).
 * {@code hold DIR}: opens a queue and waits, holding the journal lock.
 */
public final class CrashChild {
    private static FileOutputStream log;

    private CrashChild() {
    }

    /**
     * Publishes {@code count} messages to a handler that never acknowledges, then dies in the
     * middle of writing one more journal excerpt: the last excerpt is torn as a crash mid-append
     * leaves it.
     */
    private static void tearLastExcerpt(Path dir, int count) throws Exception {
        java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
        DenormQueue queue = DenormQueue.builder(dir).handler("h", message -> never.await()).build();
        for (int i = 0; i < count; i++) {
            queue.publish("torn", "k", Integer.toString(i).getBytes(StandardCharsets.UTF_8));
        }
        net.openhft.chronicle.queue.impl.single.SingleChronicleQueue raw =
                net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder.binary(dir)
                        .rollCycle(io.denormq.internal.journal.Journal.ROLL_CYCLE)
                        .blockSize(io.denormq.internal.journal.Journal.BLOCK_SIZE).build();
        net.openhft.chronicle.wire.DocumentContext context = raw.createAppender().writingDocument();
        context.wire().bytes().write(new byte[100]);
        System.out.println("READY");
        System.out.flush();
        Runtime.getRuntime().halt(9); // no close: the excerpt's header stays "being written"
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        if (args[0].equals("torn")) {
            tearLastExcerpt(dir, Integer.parseInt(args[2]));
            return;
        }
        if (args[0].equals("hold")) {
            DenormQueue queue = DenormQueue.builder(dir).build();
            System.out.println("READY");
            System.out.flush();
            Thread.sleep(60_000);
            queue.close();
            return;
        }
        Durability durability = Durability.valueOf(args[2]);
        long next = Long.parseLong(args[3]);
        log = new FileOutputStream(args[4], true);
        DenormQueue queue = DenormQueue.builder(dir)
                .durability(durability)
                .handler("h", message -> write("D " + message.payload(Codecs.utf8()) + "\n"))
                .build();
        System.out.println("READY");
        System.out.flush();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (true) {
            int count = 1 + random.nextInt(3);
            long first = next;
            try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                for (int i = 0; i < count; i++) {
                    queue.publish("crash", "k" + (next % 16), Long.toString(next++).getBytes(StandardCharsets.UTF_8));
                }
                tx.commit(() -> { });
            } catch (RuntimeException refused) { // e.g. a full journal: not committed, the loop goes on
                write("F " + refused.getClass().getSimpleName() + "\n");
                Thread.sleep(1);
                continue;
            } catch (Error error) {
                write("E " + error + "\n");
                throw error;
            }
            StringBuilder committed = new StringBuilder();
            for (long n = first; n < next; n++) {
                committed.append("C ").append(n).append('\n');
            }
            write(committed.toString());
        }
    }

    private static synchronized void write(String lines) throws IOException {
        log.write(lines.getBytes(StandardCharsets.US_ASCII));
    }
}
