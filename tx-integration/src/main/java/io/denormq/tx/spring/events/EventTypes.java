package io.denormq.tx.spring.events;

import io.denormq.ConfigurationException;

/**
 * The settings of every event class seen, found once per class: publishing an event costs one
 * lookup. A {@link ClassValue} rather than a map, so that a class loader that goes away (a redeployed
 * application) takes its entries with it.
 */
final class EventTypes {
    /** The outcome of looking at one class: its settings, or why it cannot be published, or neither (unmarked). */
    private record Outcome(EventType type, ConfigurationException problem) {
    }

    private static final Outcome UNMARKED = new Outcome(null, null);

    private final ClassValue<Outcome> outcomes = new ClassValue<>() {
        @Override
        protected Outcome computeValue(Class<?> type) {
            try {
                EventType found = EventType.of(type);
                return found == null ? UNMARKED : new Outcome(found, null);
            } catch (ConfigurationException e) {
                return new Outcome(null, e);
            }
        }
    };

    /**
     * @param type an event's class
     * @return whether it is marked {@link DenormqEvent}, rightly or not
     */
    boolean isMarked(Class<?> type) {
        return outcomes.get(type) != UNMARKED;
    }

    /**
     * @param type an event's class
     * @return its settings, or null if it is not marked
     * @throws ConfigurationException naming the type, every time, if it is marked but cannot be published as marked
     */
    EventType find(Class<?> type) {
        Outcome outcome = outcomes.get(type);
        if (outcome.problem() != null) {
            // a new exception each time: the caller's stack, not the first publisher's
            throw new ConfigurationException(outcome.problem().getMessage(), outcome.problem().getCause());
        }
        return outcome.type();
    }
}
