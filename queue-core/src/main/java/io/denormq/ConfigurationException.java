package io.denormq;

/**
 * A setting given to {@link DenormQueueBuilder} is out of its allowed range, or the journal
 * directory cannot be used. Thrown by {@link DenormQueueBuilder#build()} before anything is
 * started; the message names the setting and the allowed values.
 */
public final class ConfigurationException extends DenormqException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message the setting, the value given and what is allowed
     */
    public ConfigurationException(String message) {
        super(message);
    }

    /**
     * @param message the setting, the value given and what is allowed
     * @param cause   the underlying failure
     */
    public ConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
