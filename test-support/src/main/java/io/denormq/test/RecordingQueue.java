package io.denormq.test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.denormq.Codec;
import io.denormq.DeadLetter;
import io.denormq.DenormQueue;
import io.denormq.Headers;
import io.denormq.PayloadCodec;
import io.denormq.QueueStats;

/**
 * A {@link DenormQueue} that tells its {@link DenormqRecorder} about every message it published, with the
 * transaction it joined; everything else is the queue's. A publish that throws published nothing and is
 * not recorded.
 */
final class RecordingQueue implements DenormQueue {
    private final DenormQueue delegate;
    private final RecordingBinding binding;
    private final PayloadCodec codec;
    private final DenormqRecorder recorder;

    RecordingQueue(DenormQueue delegate, RecordingBinding binding, PayloadCodec codec, DenormqRecorder recorder) {
        this.delegate = delegate;
        this.binding = binding;
        this.codec = codec;
        this.recorder = recorder;
    }

    @Override
    public void publish(String topic, String key, byte[] payload) {
        binding.startPublish();
        delegate.publish(topic, key, payload);
        published(topic, key, payload);
    }

    @Override
    public <T> void publish(String topic, String key, T value, Codec<T> codec) {
        binding.startPublish();
        delegate.publish(topic, key, value, codec);
        published(topic, key, codec.encode(value)); // the queue encoded it the same way: the codec is deterministic
    }

    @Override
    public void publish(String topic, String key, Object value) {
        binding.startPublish();
        delegate.publish(topic, key, value);
        published(topic, key, value instanceof byte[] bytes ? bytes : codec.encode(value));
    }

    @Override
    public void publish(String topic, String key, byte[] payload, Headers headers) {
        binding.startPublish();
        delegate.publish(topic, key, payload, headers);
        published(topic, key, payload);
    }

    @Override
    public void publish(String topic, String key, Object value, Headers headers) {
        binding.startPublish();
        delegate.publish(topic, key, value, headers);
        published(topic, key, value instanceof byte[] bytes ? bytes : codec.encode(value));
    }

    private void published(String topic, String key, byte[] payload) {
        recorder.published(binding.joined(), new PublishedMessage(topic, key, payload, codec));
    }

    @Override
    public boolean awaitProcessed(Duration timeout) throws InterruptedException {
        return delegate.awaitProcessed(timeout);
    }

    @Override
    public List<DeadLetter> deadLetters() {
        return delegate.deadLetters();
    }

    @Override
    public void redrive(DeadLetter deadLetter) {
        delegate.redrive(deadLetter);
    }

    @Override
    public void discard(DeadLetter deadLetter) {
        delegate.discard(deadLetter);
    }

    @Override
    public Map<String, Long> cursors() {
        return delegate.cursors();
    }

    @Override
    public QueueStats stats() {
        return delegate.stats();
    }

    @Override
    public Path journalDirectory() {
        return delegate.journalDirectory();
    }

    @Override
    public String journalId() {
        return delegate.journalId();
    }

    @Override
    public boolean isClosed() {
        return delegate.isClosed();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return "recorded " + delegate;
    }
}
