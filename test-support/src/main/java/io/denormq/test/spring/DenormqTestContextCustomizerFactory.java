package io.denormq.test.spring;

import java.util.List;

import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.TestContextAnnotationUtils;

/**
 * Spring's TestContext framework asks this factory (listed in {@code META-INF/spring.factories}) about
 * every test class: a class annotated {@link DenormqTest} gets a context with its own temporary journal
 * and a recorder; any other class is left alone.
 */
public final class DenormqTestContextCustomizerFactory implements ContextCustomizerFactory {
    /** Instantiated by Spring's TestContext framework. */
    public DenormqTestContextCustomizerFactory() {
    }

    /**
     * @param testClass        the test class
     * @param configAttributes its context configuration, unused
     * @return the customizer for a class annotated {@link DenormqTest}, null for any other
     */
    @Override
    public ContextCustomizer createContextCustomizer(Class<?> testClass,
                                                     List<ContextConfigurationAttributes> configAttributes) {
        return TestContextAnnotationUtils.hasAnnotation(testClass, DenormqTest.class)
                ? new DenormqTestContextCustomizer() : null;
    }
}
