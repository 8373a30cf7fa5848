package io.denormq.json;

import java.io.IOException;
import java.util.Objects;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.denormq.CodecException;
import io.denormq.PayloadCodec;

/**
 * JSON payloads with a Jackson 2 {@link ObjectMapper} ({@code com.fasterxml.jackson.databind}): a
 * value is written as the mapper writes it and read back as the type the handler asks for. Records
 * and POJOs work as the mapper handles them; what the mapper is configured with (modules, naming,
 * dates) applies. Thread-safe, as an {@code ObjectMapper} is once configured: do not reconfigure the
 * mapper after handing it over. Needs {@code com.fasterxml.jackson.core:jackson-databind} on the
 * classpath.
 *
 * <p>Costs what Jackson costs: encoding allocates the payload array (the queue then copies it into
 * the transaction's batch), decoding allocates the value; the journal's bytes are read in place.
 */
public final class Jackson2Codec implements PayloadCodec {
    private final ObjectMapper mapper;

    private Jackson2Codec(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * @param mapper the application's mapper (under Spring Boot 3, the one Boot configures)
     * @return a codec that writes and reads with it
     */
    public static Jackson2Codec of(ObjectMapper mapper) {
        return new Jackson2Codec(Objects.requireNonNull(mapper, "mapper"));
    }

    /**
     * A codec on a mapper of its own: the modules found on the classpath (Java time, parameter names,
     * when present) and unknown properties ignored, because the journal outlives a deployment: a payload
     * written before a field was removed must still be read after.
     *
     * @return a codec on a default mapper
     */
    public static Jackson2Codec create() {
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
        } catch (JsonProcessingException e) {
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
        } catch (IOException e) {
            throw JsonCodecErrors.cannotRead(length, type, e);
        }
    }

    @Override
    public String toString() {
        return "Jackson2Codec";
    }
}
