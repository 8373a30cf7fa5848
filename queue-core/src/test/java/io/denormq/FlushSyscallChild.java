package io.denormq;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import io.denormq.tx.ProgrammaticTransaction;
import io.denormq.tx.ProgrammaticTransactions;

/**
 * The child process of {@link FlushSyscallTest}: {@code DIR COMMITS}. Opens a queue on DIR with
 * {@link FlushPolicy#everyCommit()} and a handler, commits COMMITS one-message transactions one after
 * the other from one thread, calling {@link DenormQueue#stats()} and {@link DenormQueue#awaitProcessed}
 * after the first half, then closes the queue.
 */
public final class FlushSyscallChild {
    private FlushSyscallChild() {
    }

    public static void main(String[] args) throws Exception {
        int commits = Integer.parseInt(args[1]);
        try (DenormQueue queue = DenormQueue.builder(Path.of(args[0]))
                .flush(FlushPolicy.everyCommit())
                .handler("h", message -> { })
                .build()) {
            for (int i = 0; i < commits; i++) {
                if (i == commits / 2) {
                    queue.stats();
                    queue.awaitProcessed(Duration.ofSeconds(10));
                }
                try (ProgrammaticTransaction tx = ProgrammaticTransactions.begin()) {
                    queue.publish("flush", "k", Integer.toString(i).getBytes(StandardCharsets.UTF_8));
                    tx.commit(() -> { });
                }
            }
        }
    }
}
