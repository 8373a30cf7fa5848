package io.denormq.tx.spring.events;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the member of a {@link DenormqEvent} type whose value is the message's key: a record
 * component, a field, or a method without parameters (also one declared on an interface or a
 * superclass the event implements). A handler sees one key's messages in release order, and a
 * partitioned handler sends them to one partition.
 *
 * <p>The key is the value's {@code toString()}, or {@code name()} for an enum; its type must say
 * what that string is: a {@code String} or other {@code CharSequence}, a primitive or its wrapper, an
 * enum or a {@code UUID}. For anything else (a value object, a list) mark a method that returns the
 * key as a {@code String}. A null value publishes the event without a key, and so does an event type
 * with no member marked. At most one member may be marked. A type that breaks these rules fails its
 * first publish with a {@link io.denormq.ConfigurationException} naming the type and the member.
 */
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface DenormqKey {
}
