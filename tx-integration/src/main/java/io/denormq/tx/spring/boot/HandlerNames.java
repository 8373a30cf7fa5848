package io.denormq.tx.spring.boot;

import java.util.LinkedHashMap;
import java.util.Map;

import io.denormq.ConfigurationException;

/**
 * The handler names the auto-configuration registers, with what registered each (a bean, a listener
 * method): a name is a durable cursor, so two owners of one name are refused at start-up, naming both.
 */
final class HandlerNames {
    private final Map<String, String> owners = new LinkedHashMap<>();

    /**
     * @param name  a handler name
     * @param owner what registers it, for messages: "bean 'x'" or a listener method's description
     * @throws ConfigurationException if another owner registered the name
     */
    void claim(String name, String owner) {
        String previous = owners.putIfAbsent(name, owner);
        if (previous != null) {
            throw new ConfigurationException("denormq handler '" + name + "' is registered twice: by " + previous
                    + " and by " + owner + ". The name keys a durable cursor, so it must be unique: give one of them "
                    + "another name (@DenormqHandler on a MessageHandler bean, @DenormqListener(name = ...) on a method)");
        }
    }

    @Override
    public String toString() {
        return owners.toString();
    }
}
