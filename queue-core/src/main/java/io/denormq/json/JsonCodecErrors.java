package io.denormq.json;

import io.denormq.CodecException;

/** What both Jackson codecs say when the mapper fails: one wording whichever Jackson generation wrote it. */
final class JsonCodecErrors {

    private JsonCodecErrors() {
    }

    static CodecException cannotWrite(Object value, String reason, Throwable cause) {
        return new CodecException("Jackson could not write a " + value.getClass().getName() + " as JSON: " + reason
                + "; make it a type the mapper can serialise (a record, a bean with getters, or register a module)", cause);
    }

    static CodecException cannotRead(int length, Class<?> type, Throwable cause) {
        return new CodecException("Jackson could not read a payload of " + length + " bytes as " + type.getName() + ": "
                + cause.getMessage(), cause);
    }
}
