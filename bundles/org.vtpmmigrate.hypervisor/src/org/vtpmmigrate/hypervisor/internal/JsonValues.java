package org.vtpmmigrate.hypervisor.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/** Strict readings of JSON values from QEMU and from files (Gson alone would turn "1" into 1). */
final class JsonValues {
    private JsonValues() {
    }

    /**
     * The value as a long, if it is a JSON number with an exact integral value in range.
     *
     * @throws IllegalArgumentException otherwise, saying what the value was
     */
    static long exactLong(JsonElement value) {
        if (value == null || !value.isJsonPrimitive() || !value.getAsJsonPrimitive().isNumber()) {
            throw new IllegalArgumentException("not a JSON number: " + value);
        }
        try {
            return value.getAsJsonPrimitive().getAsBigDecimal().longValueExact();
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("not an integer in the 64-bit range: " + value, e);
        }
    }

    /** The string member {@code name} of {@code object}, or {@code null} when absent or not a string. */
    static String stringOrNull(JsonObject object, String name) {
        JsonElement value = object.get(name);
        return value != null && value.isJsonPrimitive() && value.getAsJsonPrimitive().isString()
                ? value.getAsString()
                : null;
    }

    /** True only for the JSON literal {@code true} in member {@code name}. */
    static boolean isTrue(JsonObject object, String name) {
        JsonElement value = object.get(name);
        return value != null && value.isJsonPrimitive() && value.getAsJsonPrimitive().isBoolean()
                && value.getAsBoolean();
    }
}
