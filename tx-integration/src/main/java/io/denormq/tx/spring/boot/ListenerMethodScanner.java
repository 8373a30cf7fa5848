package io.denormq.tx.spring.boot;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import io.denormq.ConfigurationException;
import org.springframework.aop.scope.ScopedProxyUtils;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.util.ClassUtils;

/**
 * Finds the {@link DenormqListener} methods of a bean factory's beans from their definitions, without
 * creating any bean: the queue needs its handlers when it is built, which may be while a listener bean
 * is being created (one that injects the queue).
 */
final class ListenerMethodScanner {
    private ListenerMethodScanner() {
    }

    /**
     * @param beans    the application's bean factory, its definitions complete
     * @param hasCodec whether the queue will have a default codec
     * @return every listener method, checked, in bean definition order
     * @throws ConfigurationException naming the bean and the method, for the first method that breaks a rule
     */
    static List<ListenerMethod> scan(ConfigurableListableBeanFactory beans, boolean hasCodec) {
        List<ListenerMethod> found = new ArrayList<>();
        for (String beanName : beans.getBeanDefinitionNames()) {
            // a scoped proxy's target is the same class as the proxy bean: registering both would clash
            if (ScopedProxyUtils.isScopedTarget(beanName)) {
                continue;
            }
            BeanDefinition definition = beans.getMergedBeanDefinition(beanName);
            Class<?> type = definition.isAbstract() ? null : declaredType(beans, beanName);
            if (type == null || !AnnotationUtils.isCandidateClass(type, DenormqListener.class)) {
                continue;
            }
            Map<Method, DenormqListener> methods = MethodIntrospector.selectMethods(ClassUtils.getUserClass(type),
                    (MethodIntrospector.MetadataLookup<DenormqListener>) method ->
                            AnnotatedElementUtils.findMergedAnnotation(method, DenormqListener.class));
            if (methods.isEmpty()) {
                continue;
            }
            if (!definition.isSingleton()) {
                throw new ConfigurationException("Bean '" + beanName + "' has @DenormqListener methods but its scope is '"
                        + definition.getScope() + "': a listener bean must be a singleton (the queue calls one "
                        + "instance for the application's whole life)");
            }
            methods.entrySet().stream()
                    .sorted(Comparator.comparing(method -> method.getKey().toGenericString())) // reflection's order is unspecified
                    .forEach(method -> found.add(ListenerMethod.of(beanName, method.getKey(), method.getValue(), hasCodec)));
        }
        return found;
    }

    /** @return the type the definition declares, without creating the bean; null when it cannot be told */
    private static Class<?> declaredType(ConfigurableListableBeanFactory beans, String beanName) {
        try {
            return beans.getType(beanName, false);
        } catch (RuntimeException | LinkageError undeterminable) {
            // as Spring's own @EventListener processing: a bean whose type cannot be told has no listener to find
            return null;
        }
    }
}
