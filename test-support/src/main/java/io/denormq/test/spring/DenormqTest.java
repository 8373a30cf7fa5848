package io.denormq.test.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gives the test class's Spring application context its own temporary journal and a
 * {@link io.denormq.test.DenormqRecorder} bean. Put it next to {@code @SpringBootTest} (or any Spring
 * test annotation):
 *
 * <pre>{@code
 * @SpringBootTest
 * @DenormqTest
 * class OrderServiceTest {
 *     @Autowired OrderService orders;
 *     @Autowired DenormqRecorder denormq;
 *
 *     @Test
 *     void placingAnOrderUpdatesTheTotals() throws InterruptedException {
 *         orders.place(new Order(7, "customer-42", 250));
 *         assertThat(denormq.published("order-placed", OrderPlaced.class)).hasSize(1);
 *         denormq.awaitProcessed("customer-totals", "order-placed", OrderPlaced.class,
 *                 placed -> placed.orderId() == 7, Duration.ofSeconds(10));
 *     }
 * }
 * }</pre>
 *
 * <p>What it does, before the context refreshes:
 * <ul>
 * <li>sets {@code denormq.journal-dir} to a new temporary directory, ahead of every other property
 *     source, so that the auto-configured queue (or any bean reading that property) uses it; the
 *     directory is deleted when the context closes, after the queue closed;</li>
 * <li>registers a {@link io.denormq.test.DenormqRecorder} bean, and wraps the context's
 *     {@link io.denormq.tx.TransactionBinding} and {@link io.denormq.DenormQueue} beans so that it
 *     records what each transaction published (the {@code DenormQueue} bean that beans inject is the
 *     recording one; it behaves like the queue);</li>
 * <li>clears the recorder before each test method: Spring caches contexts between test classes, and the
 *     recorder shows what the current test did.</li>
 * </ul>
 *
 * <p>Contexts are cached as usual: test classes with the same configuration share one context, hence one
 * journal and one queue; {@code @DirtiesContext} gives a test a fresh one. A queue defined by the
 * application's own {@code DenormQueue} bean is recorded only if it is built with the context's
 * {@code TransactionBinding} bean.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
public @interface DenormqTest {
}
