package org.vtpmmigrate.hypervisor.internal;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import org.vtpmmigrate.hypervisor.HypervisorException;
import org.vtpmmigrate.hypervisor.MigrationEpoch;

/**
 * Reads and writes a {@link MigrationEpoch} as a small JSON file:
 * {@code {"format":"vtpm-migrate.vtpm-epoch.v1","instanceId":"...","epoch":N}}. Writes go through
 * a temporary file, fsync and an atomic rename, so a crash leaves the old or the new epoch, never a
 * torn one.
 */
final class EpochFile {
    static final String FORMAT = "vtpm-migrate.vtpm-epoch.v1";
    static final int MAX_BYTES = 4096;
    private static final TypeAdapter<JsonElement> JSON = new Gson().getAdapter(JsonElement.class);
    private static final Set<String> KEYS = Set.of("format", "instanceId", "epoch");

    private EpochFile() {
    }

    /** Reads the epoch in {@code file}, which must belong to {@code expectedInstanceId}. */
    public static MigrationEpoch read(Path file, String expectedInstanceId) throws HypervisorException {
        String text;
        try {
            long size = Files.size(file);
            if (size > MAX_BYTES) {
                throw invalid(file, "(file)", "is " + size + " bytes, limit " + MAX_BYTES);
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new HypervisorException("cannot read epoch file " + file + ": " + e.getMessage(), e);
        }
        JsonObject object = parse(file, text);
        if (!object.keySet().equals(KEYS)) {
            throw invalid(file, "(object)", "has keys " + object.keySet() + ", expected exactly " + KEYS);
        }
        String format = stringField(file, object, "format");
        if (!FORMAT.equals(format)) {
            throw invalid(file, "format", "is '" + format + "', expected '" + FORMAT + "'");
        }
        String instanceId = stringField(file, object, "instanceId");
        if (!instanceId.equals(expectedInstanceId)) {
            throw invalid(file, "instanceId", "is '" + instanceId + "', expected '" + expectedInstanceId + "'");
        }
        JsonElement epoch = object.get("epoch");
        long value;
        try {
            value = JsonValues.exactLong(epoch);
        } catch (IllegalArgumentException e) {
            throw invalid(file, "epoch", "is not an integer: " + epoch);
        }
        try {
            return new MigrationEpoch(instanceId, value);
        } catch (IllegalArgumentException e) {
            throw invalid(file, "epoch", e.getMessage());
        }
    }

    /** Replaces {@code file} atomically with {@code epoch}. */
    public static void write(Path file, MigrationEpoch epoch) throws HypervisorException {
        JsonObject object = new JsonObject();
        object.addProperty("format", FORMAT);
        object.addProperty("instanceId", epoch.instanceId());
        object.add("epoch", new JsonPrimitive(epoch.epoch()));
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                ByteBuffer bytes = StandardCharsets.UTF_8.encode(object + "\n");
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(file.getParent());
        } catch (IOException e) {
            throw new HypervisorException("cannot write epoch file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Makes a rename or delete in {@code directory} durable. */
    static void syncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static JsonObject parse(Path file, String text) throws HypervisorException {
        try (JsonReader reader = new JsonReader(new StringReader(text))) {
            reader.setStrictness(Strictness.STRICT);
            JsonElement element = JSON.read(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw invalid(file, "(document)", "has data after the JSON object");
            }
            if (element == null || !element.isJsonObject()) {
                throw invalid(file, "(document)", "is not a JSON object");
            }
            return element.getAsJsonObject();
        } catch (IOException | JsonParseException | IllegalStateException e) {
            throw invalid(file, "(document)", "is not valid JSON: " + e.getMessage());
        }
    }

    private static String stringField(Path file, JsonObject object, String name) throws HypervisorException {
        String value = JsonValues.stringOrNull(object, name);
        if (value == null) {
            throw invalid(file, name, "is not a string: " + object.get(name));
        }
        return value;
    }

    private static HypervisorException invalid(Path file, String field, String problem) {
        return new HypervisorException("epoch file " + file + ": field " + field + " " + problem);
    }
}
