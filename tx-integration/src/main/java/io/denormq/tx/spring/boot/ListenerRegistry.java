package io.denormq.tx.spring.boot;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

import io.denormq.ConfigurationException;
import io.denormq.DenormQueue;
import io.denormq.DenormQueueBuilder;
import io.denormq.MessageHandler;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.util.ClassUtils;

/**
 * The application's {@link DenormqListener} methods: found and checked when this bean is created
 * (from bean definitions, no bean created), registered as handlers when the auto-configuration builds
 * the queue, and connected to their beans once every singleton exists
 * ({@link #afterSingletonsInstantiated()}), so that a listener bean may depend on the queue.
 */
final class ListenerRegistry implements SmartInitializingSingleton {
    private final ConfigurableListableBeanFactory beans;
    private final List<ListenerMethod> listeners;
    private final List<ListenerInvoker> invokers = new ArrayList<>();
    private volatile boolean registered;

    /**
     * @param beans    the application's bean factory
     * @param hasCodec whether the queue will have a default codec
     * @throws ConfigurationException naming the bean and the method, if a listener method is misconfigured
     */
    ListenerRegistry(ConfigurableListableBeanFactory beans, boolean hasCodec) {
        this.beans = beans;
        this.listeners = ListenerMethodScanner.scan(beans, hasCodec);
    }

    /**
     * Registers every listener method with the builder, and makes the queue's bean depend on the
     * listener beans (and the exactly-once adapters' transaction manager and data source), so that
     * the context closes the queue — which drains into them — before destroying any of them.
     *
     * @param builder   the queue's builder
     * @param names     the names registered so far
     * @param queueBean the queue's bean name
     * @throws ConfigurationException naming the method, if its name is taken or its exactly-once beans are missing
     */
    void registerWith(DenormQueueBuilder builder, HandlerNames names, String queueBean) {
        for (ListenerMethod listener : listeners) {
            names.claim(listener.annotation().name(), "@DenormqListener " + listener.describe());
            ListenerInvoker invoker = new ListenerInvoker(listener);
            IntFunction<MessageHandler> delegates = partition -> invoker;
            if (listener.annotation().exactlyOnce()) {
                if (!ClassUtils.isPresent("org.springframework.jdbc.datasource.DataSourceUtils",
                        getClass().getClassLoader())) {
                    throw new ConfigurationException("@DenormqListener " + listener.describe() + " has exactlyOnce = "
                            + "true, which needs spring-jdbc on the classpath (add spring-boot-starter-jdbc)");
                }
                ExactlyOnceListener exactlyOnce = ExactlyOnceListener.of(listener, invoker, beans);
                delegates = exactlyOnce.partitions();
                exactlyOnce.usedBeans().forEach(bean -> beans.registerDependentBean(bean, queueBean));
            }
            IntFunction<MessageHandler> partitions = delegates;
            builder.handler(listener.annotation().name(), listener.annotation().partitions(),
                    partition -> new ListenerHandler(listener, invoker, partitions.apply(partition)));
            beans.registerDependentBean(listener.beanName(), queueBean);
            invokers.add(invoker);
        }
        registered = true;
    }

    /**
     * Connects the registered methods to their beans, now that every singleton exists.
     *
     * @throws ConfigurationException if the listener methods were never registered (the application
     *                                defines its own queue) or a method cannot be called on its bean
     */
    @Override
    public void afterSingletonsInstantiated() {
        if (listeners.isEmpty()) {
            return;
        }
        if (!registered) { // under lazy initialization nothing may have asked for the queue yet
            beans.getBeanProvider(DenormQueue.class).getIfUnique();
        }
        if (!registered) {
            throw new ConfigurationException("These @DenormqListener methods are not registered: " + listeners.stream()
                    .map(ListenerMethod::describe).collect(Collectors.joining(", ")) + ". The "
                    + "application defines its own DenormQueue bean, which the auto-configuration does not build: "
                    + "Register their handlers with that queue's builder, or let the auto-configuration build the "
                    + "queue (a DenormQueueBuilderCustomizer bean adjusts it)");
        }
        invokers.forEach(invoker -> invoker.resolve(beans));
    }

    @Override
    public String toString() {
        return listeners.stream().map(ListenerMethod::describe).collect(Collectors.joining(", ", "[", "]"));
    }
}
