package io.denormq.tx.spring.boot;

import java.util.Map;

import io.denormq.ConfigurationException;
import io.denormq.DenormQueue;
import io.denormq.DenormQueueBuilder;
import io.denormq.FlushPolicy;
import io.denormq.MessageHandler;
import io.denormq.PayloadCodec;
import io.denormq.RetryPolicy;
import io.denormq.tx.TransactionBinding;
import io.denormq.tx.spring.SpringTransactionBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Creates a {@link DenormQueue} from {@code denormq.*} properties in a Spring Boot application:
 * publishing joins Spring-managed transactions ({@link SpringTransactionBinding}), every
 * {@link MessageHandler} bean is registered under its bean name or its {@link DenormqHandler} name,
 * every {@link DenormqListener} method of any bean under its listener name, and the queue is closed
 * when the context closes, after the handlers drained: the queue bean is registered as dependent on
 * every handler and listener bean, so Spring destroys it before any of them (and before the beans
 * they use, such as the {@code DataSource}). Two handlers with one name stop the start-up.
 *
 * <p>Typed messages ({@link DenormQueue#publish(String, String, Object)},
 * {@link io.denormq.Message#payload(Class)}) use the application's {@link PayloadCodec} bean if it
 * defines one; otherwise JSON with the mapper Spring Boot configures: its Jackson 3
 * {@code JsonMapper} under Boot 4 ({@link io.denormq.json.Jackson3Codec}), its Jackson 2
 * {@code ObjectMapper} under Boot 3 ({@link io.denormq.json.Jackson2Codec}). Without either, the
 * queue has no default codec and only the typed calls fail, saying so.
 *
 * <p>Backs off when the application defines its own {@link DenormQueue} or
 * {@link TransactionBinding} bean, or sets {@code denormq.enabled=false}. A
 * {@link MessageHandler} bean must not depend on the {@link DenormQueue} bean (the queue needs its
 * handlers to start): a handler that publishes follow-up messages should look the queue up lazily,
 * for example through an {@code ObjectProvider<DenormQueue>}. A bean with {@link DenormqListener}
 * methods may inject the queue: its methods are found on its type, and the bean is looked up only
 * once every singleton exists.
 */
@AutoConfiguration(afterName = {
        // the mapper beans the default codec is made from: Boot 4's, then Boot 3's
        "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration",
        "org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration",
        // the ObservationRegistry that tracing through the journal uses: Boot 4's, then Boot 3's
        "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.observation.ObservationAutoConfiguration"})
@ConditionalOnClass({DenormQueue.class, TransactionSynchronizationManager.class})
@ConditionalOnProperty(prefix = "denormq", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(DenormqProperties.class)
public class DenormqAutoConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(DenormqAutoConfiguration.class);
    /** The name of the queue bean: its {@code @Bean} method's. */
    private static final String QUEUE_BEAN = "denormQueue";

    /**
     * @return the binding that enlists publishing in Spring-managed transactions
     */
    @Bean
    @ConditionalOnMissingBean(TransactionBinding.class)
    public SpringTransactionBinding denormqTransactionBinding() {
        return new SpringTransactionBinding();
    }

    /**
     * @param properties  the {@code denormq.*} properties
     * @param binding     the transaction binding
     * @param beans       where the handler beans are found
     * @param customizers applied last, in order
     * @param codecs      the default codec for typed messages, if there is one
     * @param listeners   the {@link DenormqListener} methods, registered as handlers
     * @return the started queue: locked, recovered and dispatching
     * @throws ConfigurationException if {@code denormq.journal-dir} is missing, a setting is out of range or
     *                                two handlers have one name
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(DenormQueue.class)
    public DenormQueue denormQueue(DenormqProperties properties, TransactionBinding binding,
                                   ConfigurableListableBeanFactory beans,
                                   ObjectProvider<DenormQueueBuilderCustomizer> customizers,
                                   ObjectProvider<PayloadCodec> codecs, ListenerRegistry listeners) {
        if (properties.getJournalDir() == null) {
            throw new ConfigurationException("denormq.journal-dir is not set: set it to the directory where the queue "
                    + "keeps its journal (for example denormq.journal-dir=/var/lib/my-app/denormq), "
                    + "or set denormq.enabled=false to run without a queue");
        }
        DenormQueueBuilder builder = DenormQueue.builder(properties.getJournalDir())
                .durability(properties.getDurability())
                .flush(flushPolicy(properties.getFlush()))
                .retry(RetryPolicy.of(properties.getRetry().getMaxAttempts(), properties.getRetry().getInitialBackoff(),
                        properties.getRetry().getMaxBackoff()))
                .maxPayloadBytes(properties.getMaxPayloadBytes())
                .ringSize(properties.getRingSize())
                .shutdownTimeout(properties.getShutdownTimeout())
                .retention(properties.getRetention())
                .idleMode(properties.getIdleMode())
                .reservedSpace(properties.getReservedSpace().toBytes())
                .lowSpaceWarning(properties.getLowSpaceWarning().toBytes())
                .transactions(binding)
                .codec(codecs.getIfUnique());
        HandlerNames registered = new HandlerNames();
        for (Map.Entry<String, MessageHandler> bean : beans.getBeansOfType(MessageHandler.class).entrySet()) {
            String name = handlerName(beans, bean.getKey());
            registered.claim(name, "bean '" + bean.getKey() + "'");
            builder.handler(name, bean.getValue());
            // Destroy the queue before each handler: its close drains into them. Spring 6.2 happened to
            // destroy in that order without this (the handlers finished creating first); Spring 7 does not.
            beans.registerDependentBean(bean.getKey(), QUEUE_BEAN);
        }
        listeners.registerWith(builder, registered, QUEUE_BEAN);
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        LOG.info("denormq auto-configuration: journal {}, handlers {} (handler name <- what registered it), codec {}",
                properties.getJournalDir(), registered, codecs.getIfUnique());
        return builder.build();
    }

    /**
     * The {@link DenormqListener} methods of the application's beans, found from the bean definitions
     * (no bean is created for it) and connected to their beans once every singleton exists. Never lazy:
     * that connection happens when the context finishes creating its singletons.
     *
     * @param beans  where the listener methods are found
     * @param codecs the default codec, whose presence decides whether typed parameters are allowed
     * @return the listener methods, checked
     * @throws ConfigurationException naming the bean and the method, if a listener method is misconfigured
     */
    @Bean
    @Lazy(false)
    ListenerRegistry denormqListeners(ConfigurableListableBeanFactory beans, ObjectProvider<PayloadCodec> codecs) {
        return new ListenerRegistry(beans, codecs.getIfUnique() != null);
    }

    private static String handlerName(ListableBeanFactory beans, String beanName) {
        DenormqHandler annotation = beans.findAnnotationOnBean(beanName, DenormqHandler.class);
        return annotation == null || annotation.value().isEmpty() ? beanName : annotation.value();
    }

    private static FlushPolicy flushPolicy(DenormqProperties.Flush flush) {
        return switch (flush.getPolicy()) {
            case NONE -> FlushPolicy.none();
            case PERIODIC -> FlushPolicy.periodic(flush.getInterval());
            case EVERY_COMMIT -> FlushPolicy.everyCommit();
        };
    }

    /*
     * The default codec: like the health indicators below, each Jackson generation has its own
     * configuration naming its classes as strings, so that an application of the other generation loads
     * none of them. Jackson 3 first: a Boot 4 application that also has a Jackson 2 ObjectMapper bean
     * (spring-boot-jackson2) keeps Boot 4's default.
     */

    /** Spring Boot 4: JSON with the application's Jackson 3 {@code JsonMapper}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "tools.jackson.databind.json.JsonMapper")
    @ConditionalOnBean(type = "tools.jackson.databind.json.JsonMapper")
    static class Jackson3CodecConfiguration {
        /**
         * @param mapper the mapper Boot configured (or the application's own)
         * @return the queue's default codec
         */
        @Bean
        @ConditionalOnMissingBean(PayloadCodec.class)
        PayloadCodec denormqPayloadCodec(tools.jackson.databind.json.JsonMapper mapper) {
            return io.denormq.json.Jackson3Codec.of(mapper);
        }
    }

    /** Spring Boot 3: JSON with the application's Jackson 2 {@code ObjectMapper}, unless there is a Jackson 3 mapper. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "com.fasterxml.jackson.databind.ObjectMapper")
    @ConditionalOnBean(type = "com.fasterxml.jackson.databind.ObjectMapper")
    @ConditionalOnMissingBean(type = "tools.jackson.databind.json.JsonMapper")
    static class Jackson2CodecConfiguration {
        /**
         * @param mapper the mapper Boot configured (or the application's own primary one)
         * @return the queue's default codec
         */
        @Bean
        @ConditionalOnMissingBean(PayloadCodec.class)
        PayloadCodec denormqPayloadCodec(com.fasterxml.jackson.databind.ObjectMapper mapper) {
            return io.denormq.json.Jackson2Codec.of(mapper);
        }
    }

    /** Registered only when Micrometer is on the classpath: Spring Boot binds every MeterBinder bean. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.binder.MeterBinder")
    static class MetricsConfiguration {
        /**
         * @param queue the queue
         * @return the binder that publishes {@code denormq.*} meters
         */
        @Bean
        @ConditionalOnMissingBean(io.denormq.metrics.DenormqMetrics.class)
        io.denormq.metrics.DenormqMetrics denormqMetrics(DenormQueue queue) {
            return new io.denormq.metrics.DenormqMetrics(queue);
        }
    }

    /**
     * Registered only when Micrometer Observation is on the classpath and the application has an
     * {@code ObservationRegistry} bean (Spring Boot's Actuator makes one): publishing and every handler
     * invocation then run in observations, and with Micrometer Tracing the publishing request's trace
     * continues in the handlers ({@link io.denormq.observation.DenormqObservation}).
     * {@code denormq.observation.enabled=false} leaves the queue unobserved (each observed publish costs
     * about 2 µs with a sampling tracer) while the rest of the application keeps its observations.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.observation.ObservationRegistry")
    @ConditionalOnBean(type = "io.micrometer.observation.ObservationRegistry")
    @ConditionalOnProperty(prefix = "denormq.observation", name = "enabled", havingValue = "true", matchIfMissing = true)
    static class ObservationConfiguration {
        /**
         * @param registry the application's observation registry
         * @return the customizer that applies it to the queue's builder
         */
        @Bean
        @ConditionalOnMissingBean(name = "denormqObservationCustomizer")
        DenormQueueBuilderCustomizer denormqObservationCustomizer(
                ObjectProvider<io.micrometer.observation.ObservationRegistry> registry) {
            // resolved when the queue is built: the registry's handlers are configured by then
            return builder -> io.denormq.observation.DenormqObservation.of(registry.getObject()).applyTo(builder);
        }
    }

    /*
     * The health indicator exists in two forms because Spring Boot 4 moved the health API from
     * org.springframework.boot.actuate.health (spring-boot-actuator, Boot 3) to
     * org.springframework.boot.health.contributor (spring-boot-health, Boot 4). Each configuration names
     * its generation's class as a string, so that a context of the other generation skips it without
     * loading anything it cannot link; a Boot 3 HealthIndicator bean would register nowhere on Boot 4.
     */

    /** Spring Boot 3: registered only when Actuator's Boot 3 health API is on the classpath. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
    @ConditionalOnProperty(prefix = "management.health.denormq", name = "enabled", matchIfMissing = true)
    static class HealthConfiguration {
        /**
         * @param queue      the queue
         * @param properties the {@code denormq.health.*} thresholds
         * @return the indicator, shown as {@code denormq} in {@code /actuator/health}
         */
        @Bean
        @ConditionalOnMissingBean(name = "denormqHealthIndicator")
        DenormqHealthIndicator denormqHealthIndicator(DenormQueue queue, DenormqProperties properties) {
            return new DenormqHealthIndicator(queue, properties.getHealth().getMaxLag());
        }
    }

    /** Spring Boot 4: registered only when the Boot 4 health API ({@code spring-boot-health}) is on the classpath. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    @ConditionalOnProperty(prefix = "management.health.denormq", name = "enabled", matchIfMissing = true)
    static class Boot4HealthConfiguration {
        /**
         * @param queue      the queue
         * @param properties the {@code denormq.health.*} thresholds
         * @return the indicator, shown as {@code denormq} in {@code /actuator/health}
         */
        @Bean
        @ConditionalOnMissingBean(name = "denormqHealthIndicator")
        DenormqBoot4HealthIndicator denormqHealthIndicator(DenormQueue queue, DenormqProperties properties) {
            return new DenormqBoot4HealthIndicator(queue, properties.getHealth().getMaxLag());
        }
    }
}
