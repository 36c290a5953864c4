package org.vtpmmigrate.management.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Strict JSON for the management API: Gson's streaming reader in strict mode builds a tree (duplicate
 * keys, trailing data and deep nesting refused), and records are bound component by component so that
 * every error names its JSON path. Supported field types: String, boolean, int, long (and their boxes),
 * Instant (ISO-8601 text), List of a supported type, and records of supported types.
 * <p>
 * Missing or null fields reach the record constructor as null (or fail for primitives), and the
 * constructor decides whether the field is optional; so the rules live in one place, the DTO.
 */
public final class Json {
    /** Objects and arrays nest at most this deep; the DTOs need 4. */
    public static final int MAX_DEPTH = 16;
    private static final int MAX_NUMBER_LITERAL = 40;
    private static final Pattern SIMPLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

    /** What to do with a field the target record does not have. */
    public enum UnknownFields {
        /** Requests to the server: a misspelt field must not be silently ignored. */
        REJECT,
        /** Responses read by a client: a newer server may add fields. */
        IGNORE
    }

    private static final Map<Class<?>, RecordShape> SHAPES = new ConcurrentHashMap<>();

    private Json() {
    }

    /** Reads UTF-8 JSON bytes as {@code type}. */
    public static <T> T read(byte[] utf8, Class<T> type, UnknownFields unknownFields) throws JsonBindingException {
        return type.cast(bind(parse(utf8), type, "$", unknownFields));
    }

    /** Parses UTF-8 bytes into a tree, refusing invalid UTF-8. */
    public static JsonElement parse(byte[] utf8) throws JsonBindingException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(utf8)).toString();
        } catch (CharacterCodingException e) {
            throw new JsonBindingException("$", "the body is not valid UTF-8 (" + e.getMessage() + ")");
        }
        return parse(text);
    }

    /** Parses JSON text into a tree: strict syntax, no duplicate keys, no trailing data. */
    public static JsonElement parse(String text) throws JsonBindingException {
        if (text.isBlank()) {
            throw new JsonBindingException("$", "empty document, expected a JSON value");
        }
        JsonReader reader = new JsonReader(new StringReader(text));
        reader.setStrictness(Strictness.STRICT);
        reader.setNestingLimit(MAX_DEPTH);
        try {
            JsonElement root = readValue(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new JsonBindingException("$", "unexpected data after the JSON value at "
                        + locationOf(reader));
            }
            return root;
        } catch (IOException | IllegalStateException e) {
            // Gson reports syntax errors with line, column and path; its advice link is noise here.
            String message = String.valueOf(e.getMessage());
            int newline = message.indexOf('\n');
            throw new JsonBindingException(reader.getPath(),
                    "malformed JSON: " + (newline < 0 ? message : message.substring(0, newline)));
        }
    }

    private static JsonElement readValue(JsonReader reader) throws IOException, JsonBindingException {
        switch (reader.peek()) {
            case BEGIN_OBJECT: {
                reader.beginObject();
                JsonObject object = new JsonObject();
                while (reader.hasNext()) {
                    String name = reader.nextName();
                    if (object.has(name)) {
                        throw new JsonBindingException(reader.getPath(), "field '" + name + "' appears twice");
                    }
                    object.add(name, readValue(reader));
                }
                reader.endObject();
                return object;
            }
            case BEGIN_ARRAY: {
                reader.beginArray();
                JsonArray array = new JsonArray();
                while (reader.hasNext()) {
                    array.add(readValue(reader));
                }
                reader.endArray();
                return array;
            }
            case STRING:
                return new JsonPrimitive(reader.nextString());
            case NUMBER: {
                String path = reader.getPath();
                String literal = reader.nextString();
                if (literal.length() > MAX_NUMBER_LITERAL) {
                    throw new JsonBindingException(path, "number literal of " + literal.length()
                            + " characters is too long");
                }
                // Integers stay BigInteger so that binding can refuse 1.0 or 1e3 where an integer belongs.
                boolean integral = literal.indexOf('.') < 0 && literal.indexOf('e') < 0 && literal.indexOf('E') < 0;
                return new JsonPrimitive(integral ? new BigInteger(literal) : new BigDecimal(literal));
            }
            case BOOLEAN:
                return new JsonPrimitive(reader.nextBoolean());
            case NULL:
                reader.nextNull();
                return JsonNull.INSTANCE;
            default:
                throw new JsonBindingException(reader.getPath(), "unexpected " + reader.peek());
        }
    }

    private static String locationOf(JsonReader reader) {
        String description = reader.toString();
        int at = description.indexOf(" at ");
        return at < 0 ? description : description.substring(at + 4);
    }

    /** Binds a tree to {@code type}; {@code path} names the tree's position in the document. */
    public static Object bind(JsonElement element, Type type, String path, UnknownFields unknownFields)
            throws JsonBindingException {
        Class<?> raw = rawClass(type, path);
        if (element == null || element.isJsonNull()) {
            if (raw.isPrimitive()) {
                throw new JsonBindingException(path, element == null ? "is required" : "must not be null");
            }
            return null;
        }
        if (raw == String.class) {
            return primitive(element, path, "a string", JsonPrimitive::isString).getAsString();
        }
        if (raw == boolean.class || raw == Boolean.class) {
            return primitive(element, path, "true or false", JsonPrimitive::isBoolean).getAsBoolean();
        }
        if (raw == long.class || raw == Long.class) {
            return integer(element, path, Long.MIN_VALUE, Long.MAX_VALUE);
        }
        if (raw == int.class || raw == Integer.class) {
            return (int) integer(element, path, Integer.MIN_VALUE, Integer.MAX_VALUE);
        }
        if (raw == Instant.class) {
            String text = primitive(element, path, "an ISO-8601 instant", JsonPrimitive::isString).getAsString();
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e) {
                throw new JsonBindingException(path, Check.show(text)
                        + " is not an ISO-8601 instant such as 2025-01-31T12:00:00Z");
            }
        }
        if (raw == List.class) {
            if (!element.isJsonArray()) {
                throw new JsonBindingException(path, "expected an array, found " + describe(element));
            }
            Type entryType = ((ParameterizedType) type).getActualTypeArguments()[0];
            JsonArray array = element.getAsJsonArray();
            List<Object> values = new ArrayList<>(array.size());
            for (int i = 0; i < array.size(); i++) {
                String entryPath = path + "[" + i + "]";
                if (array.get(i).isJsonNull()) {
                    throw new JsonBindingException(entryPath, "must not be null");
                }
                values.add(bind(array.get(i), entryType, entryPath, unknownFields));
            }
            return Collections.unmodifiableList(values);
        }
        if (raw.isRecord()) {
            return bindRecord(element, shapeOf(raw), path, unknownFields);
        }
        throw new IllegalArgumentException(path + ": type " + type + " is not supported by the JSON binder");
    }

    private static Object bindRecord(JsonElement element, RecordShape shape, String path,
            UnknownFields unknownFields) throws JsonBindingException {
        if (!element.isJsonObject()) {
            throw new JsonBindingException(path, "expected an object, found " + describe(element));
        }
        JsonObject object = element.getAsJsonObject();
        if (unknownFields == UnknownFields.REJECT) {
            for (String name : object.keySet()) {
                if (!shape.names.contains(name)) {
                    throw new JsonBindingException(member(path, name), "unknown field (" + shape.type.getSimpleName()
                            + " has " + String.join(", ", shape.names) + ")");
                }
            }
        }
        Object[] arguments = new Object[shape.components.length];
        for (int i = 0; i < arguments.length; i++) {
            RecordComponent component = shape.components[i];
            arguments[i] = bind(object.get(component.getName()), component.getGenericType(),
                    path + "." + component.getName(), unknownFields);
        }
        try {
            return shape.constructor.newInstance(arguments);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof InvalidFieldException) {
                InvalidFieldException invalid = (InvalidFieldException) cause;
                throw new JsonBindingException(path + "." + invalid.field(), invalid.problem());
            }
            if (cause instanceof IllegalArgumentException || cause instanceof NullPointerException) {
                throw new JsonBindingException(path, String.valueOf(cause.getMessage()));
            }
            throw new IllegalStateException("constructor of " + shape.type.getName() + " failed", cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot construct " + shape.type.getName(), e);
        }
    }

    /** The path of a member; names that are not plain identifiers are quoted and shortened. */
    private static String member(String path, String name) {
        return SIMPLE_NAME.matcher(name).matches() ? path + "." + name : path + "[" + Check.show(name) + "]";
    }

    private static JsonPrimitive primitive(JsonElement element, String path, String expected,
            java.util.function.Predicate<JsonPrimitive> kind) throws JsonBindingException {
        if (element.isJsonPrimitive() && kind.test(element.getAsJsonPrimitive())) {
            return element.getAsJsonPrimitive();
        }
        throw new JsonBindingException(path, "expected " + expected + ", found " + describe(element));
    }

    private static long integer(JsonElement element, String path, long min, long max) throws JsonBindingException {
        JsonPrimitive primitive = primitive(element, path, "an integer", JsonPrimitive::isNumber);
        Number number = primitive.getAsNumber();
        if (!(number instanceof BigInteger)) {
            throw new JsonBindingException(path, "expected an integer, found " + number);
        }
        BigInteger value = (BigInteger) number;
        if (value.bitLength() > 63 || value.longValue() < min || value.longValue() > max) {
            throw new JsonBindingException(path, value + " is outside " + min + ".." + max);
        }
        return value.longValue();
    }

    private static String describe(JsonElement element) {
        if (element.isJsonObject()) {
            return "an object";
        }
        if (element.isJsonArray()) {
            return "an array";
        }
        JsonPrimitive primitive = element.getAsJsonPrimitive();
        if (primitive.isString()) {
            return "a string";
        }
        if (primitive.isBoolean()) {
            return "a boolean";
        }
        return "the number " + primitive.getAsNumber();
    }

    private static Class<?> rawClass(Type type, String path) {
        if (type instanceof Class) {
            return (Class<?>) type;
        }
        if (type instanceof ParameterizedType) {
            return (Class<?>) ((ParameterizedType) type).getRawType();
        }
        throw new IllegalArgumentException(path + ": type " + type + " is not supported by the JSON binder");
    }

    private static RecordShape shapeOf(Class<?> type) {
        return SHAPES.computeIfAbsent(type, RecordShape::new);
    }

    /** Writes a record (or list, string, number, boolean, instant) as compact UTF-8 JSON. */
    public static byte[] write(Object value) {
        return writeString(value).getBytes(StandardCharsets.UTF_8);
    }

    public static String writeString(Object value) {
        StringWriter out = new StringWriter();
        try (JsonWriter writer = new JsonWriter(out)) {
            writer.setStrictness(Strictness.STRICT);
            writer.setHtmlSafe(false);
            writer.setSerializeNulls(true);
            writeValue(writer, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void writeValue(JsonWriter writer, Object value) throws IOException {
        if (value == null) {
            writer.nullValue();
        } else if (value instanceof String) {
            writer.value((String) value);
        } else if (value instanceof Boolean) {
            writer.value((Boolean) value);
        } else if (value instanceof Integer || value instanceof Long) {
            writer.value(((Number) value).longValue());
        } else if (value instanceof Instant) {
            writer.value(value.toString());
        } else if (value instanceof List) {
            writer.beginArray();
            for (Object entry : (List<?>) value) {
                writeValue(writer, entry);
            }
            writer.endArray();
        } else if (value.getClass().isRecord()) {
            RecordShape shape = shapeOf(value.getClass());
            writer.beginObject();
            for (RecordComponent component : shape.components) {
                writer.name(component.getName());
                try {
                    writeValue(writer, component.getAccessor().invoke(value));
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("cannot read " + component, e);
                }
            }
            writer.endObject();
        } else {
            throw new IllegalArgumentException("type " + value.getClass().getName()
                    + " is not supported by the JSON writer");
        }
    }

    /** The components and canonical constructor of a record type, looked up once. */
    private static final class RecordShape {
        final Class<?> type;
        final RecordComponent[] components;
        final Set<String> names;
        final Constructor<?> constructor;

        RecordShape(Class<?> type) {
            this.type = type;
            this.components = type.getRecordComponents();
            Set<String> componentNames = new LinkedHashSet<>();
            Class<?>[] parameterTypes = new Class<?>[components.length];
            for (int i = 0; i < components.length; i++) {
                componentNames.add(components[i].getName());
                parameterTypes[i] = components[i].getType();
            }
            this.names = Collections.unmodifiableSet(componentNames);
            try {
                this.constructor = type.getDeclaredConstructor(parameterTypes);
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException("record " + type.getName() + " has no canonical constructor", e);
            }
        }
    }
}
