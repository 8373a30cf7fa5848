package io.denormq.test.spring;

import io.denormq.test.DenormqRecorder;
import org.springframework.test.context.TestContext;
import org.springframework.test.context.TestContextAnnotationUtils;
import org.springframework.test.context.TestExecutionListener;

/**
 * Clears the {@link DenormqRecorder} of a {@link DenormqTest} class's context before each test method
 * (listed in {@code META-INF/spring.factories}), so that a cached context's recorder shows what the
 * current test published only.
 */
public final class DenormqTestExecutionListener implements TestExecutionListener {
    /** Instantiated by Spring's TestContext framework. */
    public DenormqTestExecutionListener() {
    }

    /**
     * @param testContext the test about to run
     */
    @Override
    public void beforeTestMethod(TestContext testContext) {
        if (TestContextAnnotationUtils.hasAnnotation(testContext.getTestClass(), DenormqTest.class)) {
            testContext.getApplicationContext().getBean(DenormqTestContextCustomizer.RECORDER_BEAN,
                    DenormqRecorder.class).clear();
        }
    }
}
