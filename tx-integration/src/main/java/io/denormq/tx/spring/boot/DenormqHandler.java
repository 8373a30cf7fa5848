package io.denormq.tx.spring.boot;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the handler a {@link io.denormq.MessageHandler} bean is registered as. Without it the bean's
 * name is used. The name keys the handler's durable cursor: renaming a handler makes it a new one
 * (which starts at the end of the journal), so choose a name that outlives refactorings.
 *
 * <pre>{@code
 * @Component
 * @DenormqHandler("customer-totals")
 * class CustomerTotals implements MessageHandler { ... }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface DenormqHandler {
    /** @return the handler's name; empty means the bean's name */
    String value() default "";
}
