package io.denormq.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.denormq.Acknowledgements;
import io.denormq.AsyncMessageHandler;
import io.denormq.Codecs;
import io.denormq.DenormQueue;
import io.denormq.HandlerContext;
import io.denormq.Message;
import org.junit.jupiter.api.Test;

/**
 * The README's example of an {@link AsyncMessageHandler}, compiled and run: a handler whose writes
 * complete on another thread (here a stand-in for an asynchronous client) acknowledges each message
 * when its write completed, and reports the failed ones.
 */
class AsyncHandlerExample {

    @Test
    void acknowledgesEachMessageWhenItsWriteCompleted() throws Exception {
        Path journalDir = Files.createTempDirectory("denormq-async-example").resolve("journal");
        ExecutorService client = Executors.newFixedThreadPool(4);
        Map<String, String> store = new ConcurrentHashMap<>();

        // tag::example[]
        class SearchIndexer implements AsyncMessageHandler {
            private Acknowledgements acks;

            @Override
            public void onStart(HandlerContext context) {
                acks = context.acknowledgements();                 // kept: used from the client's threads
            }

            @Override
            public void onMessage(Message message) {
                Message kept = message.copy();                     // the Message is valid only until onMessage returns
                CompletableFuture.runAsync(() -> store.put(kept.key(), kept.payload(Codecs.utf8())), client)
                        .whenComplete((done, failure) -> {
                            if (failure == null) {
                                acks.acknowledge(kept.sequence()); // any thread, any order
                            } else {
                                acks.fail(kept, failure);          // retry policy, then dead letter
                            }
                        });
            }

            @Override
            public int maxInFlight() {
                return 1024;                                       // delivery waits while 1 024 are unacknowledged
            }
        }
        DenormQueue queue = DenormQueue.builder(journalDir).handler("search", new SearchIndexer()).build();
        // end::example[]

        try {
            for (int i = 0; i < 100; i++) {
                queue.publish("product", "p" + i, "document " + i, Codecs.utf8());
            }
            assertThat(queue.awaitProcessed(Duration.ofSeconds(30))).isTrue();
            assertThat(store).hasSize(100).containsEntry("p42", "document 42");
        } finally {
            queue.close();
            client.shutdown();
        }
    }
}
