package io.denormq.tx.spring.boot;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Collectors;

import io.denormq.ConfigurationException;
import io.denormq.DenormQueueBuilder;
import io.denormq.Message;
import org.springframework.aop.support.AopUtils;
import org.springframework.util.ReflectionUtils;

/**
 * One {@link DenormqListener} method, checked against the rules the annotation documents: what the
 * auto-configuration registers as a handler, and how a message becomes the method's arguments.
 * Immutable.
 */
final class ListenerMethod {
    /** What the first parameter receives. */
    private enum Payload {
        /** the payload decoded by the queue's codec */
        DECODED,
        /** a copy of the payload's bytes */
        BYTES,
        /** the message itself */
        MESSAGE
    }

    private final String beanName;
    private final Method method;
    private final DenormqListener annotation;
    private final String name;
    private final Set<String> topics;
    private final int partitions;
    private final boolean exactlyOnce;
    private final int batchSize;
    private final Payload payload;
    private final Class<?> eventType;

    private ListenerMethod(String beanName, Method method, DenormqListener annotation) {
        this.beanName = beanName;
        this.method = method;
        this.annotation = annotation;
        this.name = annotation.name();
        this.topics = new LinkedHashSet<>(Arrays.asList(annotation.topics()));
        this.partitions = annotation.partitions();
        this.exactlyOnce = annotation.exactlyOnce();
        this.batchSize = annotation.batchSize();
        Class<?>[] parameters = method.getParameterTypes();
        this.eventType = parameters.length == 0 ? null : parameters[0];
        this.payload = eventType == Message.class ? Payload.MESSAGE
                : eventType == byte[].class ? Payload.BYTES : Payload.DECODED;
    }

    /**
     * @param beanName   the bean the method belongs to
     * @param method     the annotated method, as declared
     * @param annotation its annotation
     * @param hasCodec   whether the queue will have a default codec
     * @return the checked method
     * @throws ConfigurationException naming the bean and the method, if it breaks a rule
     */
    static ListenerMethod of(String beanName, Method method, DenormqListener annotation, boolean hasCodec) {
        ListenerMethod listener = new ListenerMethod(beanName, method, annotation);
        listener.check(hasCodec);
        return listener;
    }

    private void check(boolean hasCodec) {
        if (name.isBlank()) {
            throw refused("its name is blank: give it a name that outlives refactorings, such as "
                    + "@DenormqListener(name = \"customer-totals\", ...); the name keys the handler's durable cursor");
        }
        if (topics.isEmpty() || topics.stream().anyMatch(topic -> topic == null || topic.isEmpty())) {
            throw refused("topics " + topics + " must name at least one topic, none of them empty: "
                    + "the method receives only the messages of these topics");
        }
        if (partitions < 1 || partitions > DenormQueueBuilder.MAX_PARTITIONS) {
            throw refused("partitions = " + partitions + " is out of range: 1 to " + DenormQueueBuilder.MAX_PARTITIONS);
        }
        if (!exactlyOnce && batchSize != 1) {
            throw refused("batchSize = " + batchSize + " is only valid with exactlyOnce = true (it is the number of "
                    + "messages per transaction)");
        }
        if (batchSize < 1) {
            throw refused("batchSize = " + batchSize + " must be at least 1");
        }
        if (Modifier.isStatic(method.getModifiers())) {
            throw refused("it is static: make it an instance method of the bean");
        }
        if (method.getReturnType() != void.class) {
            throw refused("it returns " + method.getReturnType().getSimpleName() + ": a listener method returns void "
                    + "(nothing would receive the value)");
        }
        checkParameters(hasCodec);
    }

    private void checkParameters(boolean hasCodec) {
        Class<?>[] parameters = method.getParameterTypes();
        if (parameters.length < 1 || parameters.length > 2) {
            throw refused("it has " + parameters.length + " parameters: take the event (or byte[], or the Message) "
                    + "and optionally the Message, as in on(OrderPlaced event) or on(OrderPlaced event, Message message)");
        }
        if (parameters.length == 2 && (parameters[1] != Message.class || payload == Payload.MESSAGE)) {
            throw refused("its second parameter must be an io.denormq.Message, after the event or byte[] it receives");
        }
        Type declared = method.getGenericParameterTypes()[0];
        if (payload == Payload.DECODED && declared instanceof ParameterizedType) {
            throw refused("its parameter type " + declared.getTypeName() + " is generic, and the codec decodes to a "
                    + "class (its type arguments would be lost): take a record or class that holds it");
        }
        if (payload == Payload.DECODED && !hasCodec) {
            throw refused("no codec can produce its parameter " + eventType.getName() + ": the queue has no default "
                    + "codec. Add Jackson (the auto-configuration then uses Spring Boot's mapper) or define a "
                    + "PayloadCodec bean, or take byte[] or io.denormq.Message");
        }
    }

    private ConfigurationException refused(String why) {
        return new ConfigurationException("@DenormqListener " + describe() + " is misconfigured: " + why);
    }

    /**
     * Makes the arguments for one call. Allocates them (and what the codec allocates).
     *
     * @param message the message being delivered
     * @return the method's arguments
     */
    Object[] arguments(Message message) {
        Object first = switch (payload) {
            case DECODED -> message.payload(eventType);
            case BYTES -> message.payload();
            case MESSAGE -> message;
        };
        return method.getParameterCount() == 1 ? new Object[] {first} : new Object[] {first, message};
    }

    /**
     * @param topic a message's topic
     * @return whether the method receives messages of that topic
     */
    boolean receives(String topic) {
        return topics.contains(topic);
    }

    /** @return e.g. {@code method CustomerTotals.on(OrderPlaced) of bean 'customerTotals'}, for messages */
    String describe() {
        String parameters = Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName)
                .collect(Collectors.joining(", "));
        return "method " + method.getDeclaringClass().getSimpleName() + "." + method.getName() + "(" + parameters
                + ") of bean '" + beanName + "'";
    }

    /** @return the bean the method belongs to */
    String beanName() {
        return beanName;
    }

    /**
     * @param beanClass the class of the bean the context created: the declaring class, or a proxy of it
     * @return the method to call reflectively on that bean, made accessible
     * @throws ConfigurationException if a proxy does not expose the method (a private method on a
     *                                CGLIB proxy, a method not on the interfaces of a JDK proxy)
     */
    Method invocableOn(Class<?> beanClass) {
        Method invocable;
        try {
            invocable = AopUtils.selectInvocableMethod(method, beanClass);
        } catch (IllegalStateException notOnTheProxy) {
            throw new ConfigurationException("@DenormqListener " + describe() + " cannot be called on the bean, a "
                    + beanClass.getName() + ": " + notOnTheProxy.getMessage(), notOnTheProxy);
        }
        ReflectionUtils.makeAccessible(invocable);
        return invocable;
    }

    /** @return the annotation: the handler's name, partitions, exactly-once settings */
    DenormqListener annotation() {
        return annotation;
    }
}
