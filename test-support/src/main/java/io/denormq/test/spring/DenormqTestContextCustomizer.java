package io.denormq.test.spring;

import java.util.Map;

import io.denormq.test.DenormqRecorder;
import io.denormq.test.TemporaryJournal;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.DefaultSingletonBeanRegistry;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * What {@link DenormqTest} does to a context before it refreshes: a temporary journal as
 * {@code denormq.journal-dir}, the recorder bean, and the post-processor that records the queue.
 *
 * <p>All instances are equal, so that the test classes annotated {@link DenormqTest} with the same
 * configuration share one cached context, as they would without the annotation.
 */
final class DenormqTestContextCustomizer implements ContextCustomizer {
    /** The property the auto-configuration reads the journal directory from. */
    static final String JOURNAL_DIR_PROPERTY = "denormq.journal-dir";
    /** The recorder's bean name. */
    static final String RECORDER_BEAN = "denormqRecorder";
    private static final String JOURNAL_BEAN = "denormqTemporaryJournal";

    @Override
    public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration configuration) {
        ConfigurableListableBeanFactory beans = context.getBeanFactory();
        if (!(beans instanceof DefaultSingletonBeanRegistry registry)) {
            throw new IllegalStateException("@DenormqTest needs a context whose bean factory can destroy the "
                    + "temporary journal with the context; " + beans.getClass().getName() + " cannot");
        }
        TemporaryJournal journal = TemporaryJournal.create();
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("denormqTest",
                Map.of(JOURNAL_DIR_PROPERTY, journal.directory().toString())));
        beans.registerSingleton(JOURNAL_BEAN, journal);
        // Registered before any bean exists, so destroyed after all of them: singletons are destroyed in
        // the reverse order of their registration, and the queue must be closed before its files go.
        registry.registerDisposableBean(JOURNAL_BEAN, journal::close);
        DenormqRecorder recorder = new DenormqRecorder();
        beans.registerSingleton(RECORDER_BEAN, recorder);
        beans.addBeanPostProcessor(new RecordingPostProcessor(recorder, beans));
    }

    @Override
    public boolean equals(Object other) {
        return other != null && other.getClass() == getClass();
    }

    @Override
    public int hashCode() {
        return getClass().hashCode();
    }
}
