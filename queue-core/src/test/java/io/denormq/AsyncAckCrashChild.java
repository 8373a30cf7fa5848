package io.denormq;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The child process of {@link AsyncAckCrashTest}. {@code DIR COUNT HELD}: an
 * {@link AsyncMessageHandler} "async" accepts {@code COUNT} published messages ("0" to "COUNT-1"),
 * then a thread of its own acknowledges all of them but {@code HELD}, in shuffled order; the child
 * prints READY once every acknowledgement returned, and waits to be killed.
 */
public final class AsyncAckCrashChild {
    private AsyncAckCrashChild() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        int held = Integer.parseInt(args[2]);
        CountDownLatch allReceived = new CountDownLatch(count);
        ConcurrentHashMap<Integer, Long> sequences = new ConcurrentHashMap<>();
        Acknowledgements[] acks = new Acknowledgements[1];
        AsyncMessageHandler handler = new AsyncMessageHandler() {
            @Override
            public void onStart(HandlerContext context) {
                acks[0] = context.acknowledgements();
            }

            @Override
            public void onMessage(Message message) {
                sequences.put(Integer.parseInt(message.payload(Codecs.utf8())), message.sequence());
                allReceived.countDown();
            }
        };
        DenormQueue queue = DenormQueue.builder(dir).handler("async", handler).build();
        for (int i = 0; i < count; i++) {
            queue.publish("crash", "k" + (i % 7), Integer.toString(i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        if (!allReceived.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("received " + sequences.size() + " of " + count);
        }
        List<Integer> order = new ArrayList<>(sequences.keySet());
        order.remove(Integer.valueOf(held));
        Collections.shuffle(order);
        Thread acknowledging = new Thread(() -> order.forEach(n -> acks[0].acknowledge(sequences.get(n))), "acknowledging");
        acknowledging.start();
        acknowledging.join();
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(120_000);
        queue.close();
    }
}
