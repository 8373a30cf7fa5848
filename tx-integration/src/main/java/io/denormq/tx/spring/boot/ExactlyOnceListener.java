package io.denormq.tx.spring.boot;

import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

import javax.sql.DataSource;

import io.denormq.ConfigurationException;
import io.denormq.MessageHandler;
import io.denormq.tx.spring.SpringTransactionalHandler;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Builds the exactly-once adapters ({@link SpringTransactionalHandler}) of a listener method with
 * {@link DenormqListener#exactlyOnce()}, on the application's transaction manager and data source.
 * Loaded only for such a method: it needs {@code spring-jdbc}, an optional dependency.
 */
final class ExactlyOnceListener {
    private final String transactionManagerBean;
    private final String dataSourceBean;
    private final IntFunction<MessageHandler> partitions;

    private ExactlyOnceListener(ListenerMethod listener, MessageHandler invoker, ConfigurableListableBeanFactory beans) {
        this.transactionManagerBean = uniqueBean(beans, PlatformTransactionManager.class, listener);
        this.dataSourceBean = uniqueBean(beans, DataSource.class, listener);
        PlatformTransactionManager transactionManager = beans.getBean(transactionManagerBean,
                PlatformTransactionManager.class);
        DataSource dataSource = beans.getBean(dataSourceBean, DataSource.class);
        this.partitions = partition -> SpringTransactionalHandler
                .builder(listener.annotation().name(), transactionManager, dataSource)
                .batchSize(listener.annotation().batchSize())
                .partition(partition, listener.annotation().partitions())
                .handler(invoker)
                .build();
    }

    /**
     * @param listener a method with {@code exactlyOnce = true}
     * @param invoker  calls it
     * @param beans    where the transaction manager and the data source are found
     * @return the adapters' factory and the beans they use
     * @throws ConfigurationException naming the method, if a bean is missing or ambiguous
     */
    static ExactlyOnceListener of(ListenerMethod listener, MessageHandler invoker, ConfigurableListableBeanFactory beans) {
        return new ExactlyOnceListener(listener, invoker, beans);
    }

    /** @return makes the adapter of each partition */
    IntFunction<MessageHandler> partitions() {
        return partitions;
    }

    /** @return the beans the adapters use, which must outlive the queue */
    List<String> usedBeans() {
        return List.of(transactionManagerBean, dataSourceBean);
    }

    /** @return the only bean of the type, or the primary one among several */
    private static String uniqueBean(ConfigurableListableBeanFactory beans, Class<?> type, ListenerMethod listener) {
        String[] names = beans.getBeanNamesForType(type, false, false);
        if (names.length == 1) {
            return names[0];
        }
        List<String> primary = Arrays.stream(names)
                .filter(name -> beans.containsBeanDefinition(name) && beans.getMergedBeanDefinition(name).isPrimary())
                .toList();
        if (primary.size() == 1) {
            return primary.get(0);
        }
        throw new ConfigurationException("@DenormqListener " + listener.describe() + " has exactlyOnce = true, which "
                + "runs it in a transaction of the application's " + type.getSimpleName() + " bean, but "
                + (names.length == 0 ? "there is none: define one (Spring Boot does for a DataSource) or drop exactlyOnce"
                        : "there are " + names.length + " " + Arrays.toString(names) + " and none is @Primary: mark one"));
    }
}
