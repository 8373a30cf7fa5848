package io.denormq.test.spring;

import io.denormq.DenormQueue;
import io.denormq.PayloadCodec;
import io.denormq.test.DenormqRecorder;
import io.denormq.tx.TransactionBinding;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Hands the context's {@link TransactionBinding} bean and then its {@link DenormQueue} bean to the
 * recorder, and exposes the recording versions in their place. The binding comes first on its own: the
 * queue bean depends on it.
 */
final class RecordingPostProcessor implements BeanPostProcessor {
    private final DenormqRecorder recorder;
    private final BeanFactory beans;

    RecordingPostProcessor(DenormqRecorder recorder, BeanFactory beans) {
        this.recorder = recorder;
        this.beans = beans;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        if (bean instanceof TransactionBinding binding) {
            return recorder.record(binding);
        }
        if (bean instanceof DenormQueue queue) {
            return recorder.record(queue, beans.getBeanProvider(PayloadCodec.class).getIfUnique());
        }
        return bean;
    }
}
