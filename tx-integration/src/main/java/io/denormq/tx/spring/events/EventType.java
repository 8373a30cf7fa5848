package io.denormq.tx.spring.events;

import io.denormq.ConfigurationException;
import org.springframework.context.ApplicationEvent;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * What publishing one marked event type needs: its topic and how to read its key, found and checked
 * once from the type's {@link DenormqEvent} and {@link DenormqKey} annotations.
 */
final class EventType {
    private final String topic;
    private final EventKey key;

    private EventType(String topic, EventKey key) {
        this.topic = topic;
        this.key = key;
    }

    /**
     * @param type the class of a published event
     * @return the type's settings, or null if it is not marked {@link DenormqEvent}
     * @throws ConfigurationException naming the type, if it is marked but cannot be published as marked
     */
    static EventType of(Class<?> type) {
        DenormqEvent marked = AnnotatedElementUtils.findMergedAnnotation(type, DenormqEvent.class);
        if (marked == null) {
            return null;
        }
        if (ApplicationEvent.class.isAssignableFrom(type)) {
            throw new ConfigurationException("Event type " + type.getName() + " is marked @DenormqEvent but extends "
                    + "ApplicationEvent, whose source cannot be journaled: publish a plain object (a record) instead");
        }
        if (marked.topic().isBlank()) {
            throw new ConfigurationException("Event type " + type.getName() + " is marked @DenormqEvent without a "
                    + "topic: say which, as in @DenormqEvent(topic = \"order-placed\")");
        }
        return new EventType(marked.topic(), EventKey.find(type));
    }

    /** @return the topic the type's events are published under */
    String topic() {
        return topic;
    }

    /**
     * @param event an event of this type
     * @return its key, or null if it has none
     */
    String key(Object event) {
        return key == null ? null : key.read(event);
    }

    @Override
    public String toString() {
        return "topic '" + topic + "', key " + (key == null ? "none" : key);
    }
}
