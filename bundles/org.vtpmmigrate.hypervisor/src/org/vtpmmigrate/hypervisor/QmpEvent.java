package org.vtpmmigrate.hypervisor;

import com.google.gson.JsonObject;
import java.time.Instant;

/**
 * An asynchronous QMP event, e.g. {@code MIGRATION}, {@code STOP}, {@code RESUME}, {@code SHUTDOWN}.
 *
 * @param name the event name
 * @param data the event's {@code data} member (empty when QEMU sent none); a private copy
 * @param timestamp QEMU's timestamp for the event
 */
public record QmpEvent(String name, JsonObject data, Instant timestamp) {
    public QmpEvent {
        data = data == null ? new JsonObject() : data.deepCopy();
    }

    @Override
    public JsonObject data() {
        return data.deepCopy();
    }

    /** The string member {@code key} of the data, or {@code null} when absent or not a string. */
    public String dataString(String key) {
        var element = data.get(key);
        return element != null && element.isJsonPrimitive() && element.getAsJsonPrimitive().isString()
                ? element.getAsString()
                : null;
    }
}
