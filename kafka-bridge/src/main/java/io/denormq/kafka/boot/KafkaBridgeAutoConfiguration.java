package io.denormq.kafka.boot;

import io.denormq.ConfigurationException;
import io.denormq.kafka.KafkaBridge;
import io.denormq.kafka.KafkaBridgeBuilder;
import io.denormq.tx.spring.boot.DenormqAutoConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;

/**
 * Registers a {@link KafkaBridge} bean when {@code denormq.kafka.bootstrap-servers} is set. The
 * bean is a {@link io.denormq.MessageHandler}, so {@link DenormqAutoConfiguration} registers it with
 * the queue under its bean name, which is {@code denormq.kafka.handler-name} ({@code kafka} by
 * default); the queue is closed before the bridge when the context closes (the queue created it
 * while starting, so Spring destroys it first), which lets the bridge drain.
 *
 * <p>Backs off when the application defines a {@link KafkaBridge} bean of its own. A
 * {@link KafkaBridgeBuilderCustomizer} bean adjusts the builder after the properties.
 */
@AutoConfiguration(before = DenormqAutoConfiguration.class)
@ConditionalOnClass(name = {"io.denormq.kafka.KafkaBridge", "org.apache.kafka.clients.producer.KafkaProducer",
        "io.denormq.tx.spring.boot.DenormqAutoConfiguration"})
@ConditionalOnProperty(prefix = "denormq.kafka", name = "bootstrap-servers")
@EnableConfigurationProperties(KafkaBridgeProperties.class)
@Import(KafkaBridgeAutoConfiguration.BridgeRegistrar.class)
public class KafkaBridgeAutoConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaBridgeAutoConfiguration.class);

    /**
     * Builds the bridge from the properties and the customizers.
     *
     * @param properties  the {@code denormq.kafka.*} properties
     * @param beanFactory where the customizers are found
     * @return the bridge
     * @throws ConfigurationException if a property is out of range or contradicts the bridge's guarantees
     */
    static KafkaBridge kafkaBridge(KafkaBridgeProperties properties, BeanFactory beanFactory) {
        KafkaBridgeBuilder builder = KafkaBridge.builder()
                .bootstrapServers(properties.getBootstrapServers())
                .maxInFlightRecords(properties.getMaxInFlightRecords())
                .maxInFlightBytes(properties.getMaxInFlightBytes().toBytes())
                .backoff(properties.getBackoff().getInitial(), properties.getBackoff().getMax())
                .producerProperties(properties.getProducer());
        properties.getTopics().forEach(builder::topic);
        if (properties.getDefaultTopic() != null) {
            builder.defaultTopic(properties.getDefaultTopic());
        }
        if (properties.getSource() != null) {
            builder.source(properties.getSource());
        }
        beanFactory.getBeanProvider(KafkaBridgeBuilderCustomizer.class).orderedStream()
                .forEach(customizer -> customizer.customize(builder));
        KafkaBridge bridge = builder.build();
        LOG.info("denormq Kafka bridge: handler '{}', topics {}, default topic {}, source {}", properties.getHandlerName(),
                properties.getTopics(), properties.getDefaultTopic(),
                bridge.source() != null ? bridge.source() : "<journal id>/" + properties.getHandlerName());
        return bridge;
    }

    /**
     * Registers the bridge under the name {@code denormq.kafka.handler-name} gives, which a
     * {@code @Bean} method could not: bean names do not take placeholders.
     */
    static class BridgeRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware, BeanFactoryAware {
        private Environment environment;
        private BeanFactory beanFactory;

        @Override
        public void setEnvironment(Environment environment) {
            this.environment = environment;
        }

        @Override
        public void setBeanFactory(BeanFactory beanFactory) {
            this.beanFactory = beanFactory;
        }

        @Override
        public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
            if (beanFactory instanceof ListableBeanFactory beans
                    && beans.getBeanNamesForType(KafkaBridge.class, true, false).length > 0) {
                return; // the application's own bridge
            }
            String name = Binder.get(environment).bind("denormq.kafka.handler-name", String.class).orElse("kafka");
            if (name.isBlank()) {
                throw new ConfigurationException("denormq.kafka.handler-name: must not be blank; it names the bridge's "
                        + "durable cursor (default kafka)");
            }
            if (registry.containsBeanDefinition(name)) {
                throw new ConfigurationException("denormq.kafka.handler-name: a bean named '" + name + "' exists already; "
                        + "set denormq.kafka.handler-name to another name for the Kafka bridge's handler");
            }
            BeanFactory factory = beanFactory;
            RootBeanDefinition bridge = new RootBeanDefinition(KafkaBridge.class,
                    () -> kafkaBridge(factory.getBean(KafkaBridgeProperties.class), factory));
            bridge.setDestroyMethodName("close");
            registry.registerBeanDefinition(name, bridge);
        }
    }
}
