package io.denormq.json;

import java.util.Objects;

import io.denormq.CodecException;
import io.denormq.PayloadCodec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * JSON payloads with a Jackson 3 {@link ObjectMapper} ({@code tools.jackson.databind}, Spring Boot
 * 4's default): a value is written as the mapper writes it and read back as the type the handler
 * asks for. Records and POJOs work as the mapper handles them; what the mapper is configured with
 * (modules, naming, dates) applies. Thread-safe: Jackson 3 mappers are immutable. Needs
 * {@code tools.jackson.core:jackson-databind} on the classpath.
 *
 * <p>Costs what Jackson costs: encoding allocates the payload array (the queue then copies it into
 * the transaction's batch), decoding allocates the value; the journal's bytes are read in place.
 */
public final class Jackson3Codec implements PayloadCodec {
    private final ObjectMapper mapper;

    private Jackson3Codec(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * @param mapper the application's mapper (under Spring Boot 4, the {@code JsonMapper} Boot configures)
     * @return a codec that writes and reads with it
     */
    public static Jackson3Codec of(ObjectMapper mapper) {
        return new Jackson3Codec(Objects.requireNonNull(mapper, "mapper"));
    }

    /**
     * A codec on a mapper of its own: the modules found on the classpath and unknown properties
     * ignored, because the journal outlives a deployment: a payload written before a field was
     * removed must still be read after.
     *
     * @return a codec on a default mapper
     */
    public static Jackson3Codec create() {
        return of(JsonMapper.builder()
                .findAndAddModules()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build());
    }

    /**
     * @throws CodecException if the mapper cannot write the value (its exception is the cause)
     */
    @Override
    public byte[] encode(Object value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (JacksonException e) {
            throw JsonCodecErrors.cannotWrite(value, e.getOriginalMessage(), e);
        }
    }

    /**
     * @throws CodecException if the bytes are not JSON of a {@code type} (the mapper's exception is the cause)
     */
    @Override
    public <T> T decode(byte[] bytes, int offset, int length, Class<T> type) {
        try {
            return mapper.readValue(bytes, offset, length, type);
        } catch (JacksonException e) {
            throw JsonCodecErrors.cannotRead(length, type, e);
        }
    }

    @Override
    public String toString() {
        return "Jackson3Codec";
    }
}
