package org.vtpmmigrate.hypervisor.internal;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.vtpmmigrate.hypervisor.HypervisorException;
import org.vtpmmigrate.hypervisor.HypervisorTimeoutException;
import org.vtpmmigrate.hypervisor.QmpEvent;
import org.vtpmmigrate.hypervisor.QmpException;
import org.vtpmmigrate.hypervisor.QmpProtocolException;

/**
 * A QMP client over a unix socket: greeting and capability negotiation, commands matched to replies
 * by request id, asynchronous events to listeners and subscriptions.
 *
 * <p>A reader thread per connection parses what QEMU sends. Every message is bounded
 * ({@link #MAX_MESSAGE_BYTES}), must be strict JSON and valid UTF-8, and must be a greeting, an
 * event or a reply to an id this client issued; anything else closes the connection with a
 * {@link QmpProtocolException}, which every pending and later call then reports. QEMU is treated as
 * untrusted input because a compromised guest may control it.
 *
 * <p>Requests are written by a writer thread, so a QEMU that stops reading cannot hold a caller
 * beyond its timeout.
 */
final class QmpClient implements AutoCloseable {
    /** Largest QMP message accepted (QEMU's own replies here are a few KiB at most). */
    public static final int MAX_MESSAGE_BYTES = 1 << 20;

    private static final System.Logger LOG = System.getLogger(QmpClient.class.getName());
    private static final TypeAdapter<JsonElement> JSON = new Gson().getAdapter(JsonElement.class);
    private static final Pattern COMMAND_NAME = Pattern.compile("[a-z][a-z0-9_-]{0,63}");
    private static final int SUBSCRIPTION_CAPACITY = 1024;

    private final SocketChannel channel;
    private final String peer;
    private final Map<Long, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
    private final List<Consumer<QmpEvent>> listeners = new CopyOnWriteArrayList<>();
    private final List<EventSubscription> subscriptions = new CopyOnWriteArrayList<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final CompletableFuture<JsonObject> greeting = new CompletableFuture<>();
    private final ExecutorService writer;
    private final Thread reader;
    private volatile HypervisorException closedReason;

    private QmpClient(SocketChannel channel, String peer) {
        this.channel = channel;
        this.peer = peer;
        this.reader = new Thread(this::readLoop, "qmp-reader " + peer);
        this.reader.setDaemon(true);
        this.writer = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "qmp-writer " + peer);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Connects to a QMP socket, reads the greeting and leaves capability negotiation mode.
     *
     * @param socket the QMP unix socket
     * @param timeout for the whole handshake, including waiting for the socket to appear
     * @param peerAlive false once the QEMU process is gone, to fail without waiting out the timeout
     */
    public static QmpClient connect(Path socket, Duration timeout, BooleanSupplier peerAlive)
            throws HypervisorException {
        Deadline deadline = Deadline.after(timeout);
        String peer = "QMP " + socket.getFileName();
        SocketChannel channel = UnixSockets.connect(socket, deadline, peerAlive, "QEMU " + peer);
        QmpClient client = new QmpClient(channel, peer);
        client.reader.start();
        try {
            client.awaitGreeting(deadline);
            client.execute("qmp_capabilities", null, deadline.remaining());
            return client;
        } catch (HypervisorException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /** The {@code QMP} member of QEMU's greeting (version, capabilities). */
    public JsonObject greeting() {
        return greeting.getNow(new JsonObject()).deepCopy();
    }

    /** Executes a command without arguments; see {@link #execute(String, JsonObject, Duration)}. */
    public JsonElement execute(String command, Duration timeout) throws HypervisorException {
        return execute(command, null, timeout);
    }

    /**
     * Executes a command and waits for its reply.
     *
     * @return the reply's {@code return} member
     * @throws QmpException QEMU answered with an error object
     * @throws org.vtpmmigrate.hypervisor.HypervisorTimeoutException no reply within {@code timeout}
     */
    public JsonElement execute(String command, JsonObject arguments, Duration timeout) throws HypervisorException {
        if (!COMMAND_NAME.matcher(command).matches()) {
            throw new IllegalArgumentException("not a QMP command name: '" + command + "'");
        }
        long id = nextId.getAndIncrement();
        JsonObject request = new JsonObject();
        request.addProperty("execute", command);
        if (arguments != null) {
            request.add("arguments", arguments.deepCopy());
        }
        request.addProperty("id", id);
        CompletableFuture<JsonObject> reply = new CompletableFuture<>();
        pending.put(id, reply);
        try {
            failIfClosed();
            send(request);
            JsonObject answer = reply.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return unwrapReply(command, answer);
        } catch (TimeoutException e) {
            throw new HypervisorTimeoutException("the reply to QMP command '" + command + "' from " + peer, timeout);
        } catch (ExecutionException e) {
            throw asHypervisorException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HypervisorException("interrupted waiting for QMP command '" + command + "'", e);
        } finally {
            pending.remove(id);
        }
    }

    /** Adds a listener called on the reader thread for every event; it must return quickly. */
    public void addEventListener(Consumer<QmpEvent> listener) {
        listeners.add(listener);
    }

    public void removeEventListener(Consumer<QmpEvent> listener) {
        listeners.remove(listener);
    }

    /**
     * Starts queueing events that match {@code filter}. Subscribe before triggering what causes the
     * event, so that it cannot be missed; close the subscription when done.
     */
    public EventSubscription subscribe(Predicate<QmpEvent> filter) {
        EventSubscription subscription = new EventSubscription(filter);
        subscriptions.add(subscription);
        if (closedReason != null) {
            subscription.wake();
        }
        return subscription;
    }

    public boolean isOpen() {
        return closedReason == null;
    }

    @Override
    public void close() {
        shutDown(new HypervisorException(peer + " connection closed by this client"));
        if (Thread.currentThread() != reader) {
            try {
                reader.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Events matching a filter, queued from the moment of subscription. */
    public final class EventSubscription implements AutoCloseable {
        private final Predicate<QmpEvent> filter;
        private final BlockingQueue<Optional<QmpEvent>> queue = new LinkedBlockingQueue<>(SUBSCRIPTION_CAPACITY);

        private EventSubscription(Predicate<QmpEvent> filter) {
            this.filter = filter;
        }

        /**
         * The next matching event, or empty when none arrived within {@code timeout}.
         *
         * @throws HypervisorException the QMP connection ended (the reason is the cause)
         */
        public Optional<QmpEvent> poll(Duration timeout) throws HypervisorException {
            try {
                Optional<QmpEvent> event = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
                if (event != null && event.isPresent()) {
                    return event;
                }
                failIfClosed();
                return Optional.empty();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HypervisorException("interrupted waiting for a QMP event from " + peer, e);
            }
        }

        /** The next matching event; a timeout is an error naming {@code awaited}. */
        public QmpEvent await(String awaited, Duration timeout) throws HypervisorException {
            Deadline deadline = Deadline.after(timeout);
            while (true) {
                Optional<QmpEvent> event = poll(deadline.remaining());
                if (event.isPresent()) {
                    return event.get();
                }
                if (deadline.isExpired()) {
                    throw deadline.timeoutFor(awaited);
                }
            }
        }

        private void offer(QmpEvent event) {
            if (filter.test(event) && !queue.offer(Optional.of(event))) {
                LOG.log(System.Logger.Level.WARNING, "dropping QMP event {0} from {1}: subscriber queue full",
                        event.name(), peer);
            }
        }

        private void wake() {
            queue.offer(Optional.empty());
        }

        @Override
        public void close() {
            subscriptions.remove(this);
        }
    }

    private void awaitGreeting(Deadline deadline) throws HypervisorException {
        try {
            JsonObject qmp = greeting.get(deadline.remaining().toNanos(), TimeUnit.NANOSECONDS);
            if (!qmp.has("version") || !qmp.get("version").isJsonObject()) {
                throw new QmpProtocolException(0, "greeting has no 'version' object: " + qmp);
            }
        } catch (TimeoutException e) {
            throw deadline.timeoutFor("the QMP greeting from " + peer);
        } catch (ExecutionException e) {
            throw asHypervisorException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HypervisorException("interrupted waiting for the QMP greeting", e);
        }
    }

    /**
     * Queues a request for the writer thread. Writing there, not in the caller, keeps every caller's
     * wait bounded by its reply timeout even if QEMU stops reading its socket.
     */
    private void send(JsonObject request) throws HypervisorException {
        ByteBuffer bytes = StandardCharsets.UTF_8.encode(request.toString() + "\n");
        try {
            writer.execute(() -> {
                try {
                    while (bytes.hasRemaining()) {
                        channel.write(bytes);
                    }
                } catch (IOException e) {
                    shutDown(new HypervisorException("writing to " + peer + " failed: " + e.getMessage(), e));
                }
            });
        } catch (RejectedExecutionException e) {
            failIfClosed();
            throw new HypervisorException(peer + " no longer accepts commands", e);
        }
    }

    private JsonElement unwrapReply(String command, JsonObject reply) throws HypervisorException {
        if (reply.has("error")) {
            JsonElement error = reply.get("error");
            if (!error.isJsonObject()) {
                throw new QmpProtocolException(-1, "reply to '" + command + "' has a non-object 'error': " + error);
            }
            JsonObject details = error.getAsJsonObject();
            throw new QmpException(command, stringMember(details, "class"), stringMember(details, "desc"));
        }
        return reply.get("return");
    }

    private static String stringMember(JsonObject object, String name) {
        String value = JsonValues.stringOrNull(object, name);
        return value != null ? value : "(no " + name + ")";
    }

    private void failIfClosed() throws HypervisorException {
        HypervisorException reason = closedReason;
        if (reason != null) {
            throw new HypervisorException(peer + " is closed: " + reason.getMessage(), reason);
        }
    }

    private static HypervisorException asHypervisorException(Throwable cause) {
        return cause instanceof HypervisorException h ? h : new HypervisorException(String.valueOf(cause), cause);
    }

    private void readLoop() {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        byte[] message = new byte[4096];
        int length = 0;
        long messageIndex = 0;
        try {
            while (true) {
                buffer.clear();
                int read = channel.read(buffer);
                if (read < 0) {
                    if (length > 0) {
                        throw new QmpProtocolException(messageIndex, "connection ended inside a message after "
                                + length + " bytes");
                    }
                    shutDown(new HypervisorException("QEMU closed " + peer));
                    return;
                }
                for (int i = 0; i < read; i++) {
                    byte b = buffer.get(i);
                    if (b == '\n') {
                        if (!isBlank(message, length)) {
                            long index = messageIndex++;
                            handleMessage(index, decode(index, message, length));
                        }
                        length = 0;
                        continue;
                    }
                    if (length == MAX_MESSAGE_BYTES) {
                        throw new QmpProtocolException(messageIndex, "message exceeds " + MAX_MESSAGE_BYTES + " bytes");
                    }
                    if (length == message.length) {
                        message = Arrays.copyOf(message, Math.min(MAX_MESSAGE_BYTES, message.length * 2));
                    }
                    message[length++] = b;
                }
            }
        } catch (ClosedChannelException e) {
            shutDown(new HypervisorException(peer + " connection closed"));
        } catch (IOException e) {
            shutDown(new HypervisorException("reading from " + peer + " failed: " + e.getMessage(), e));
        } catch (HypervisorException e) {
            shutDown(e);
        } catch (RuntimeException | StackOverflowError e) {
            shutDown(new QmpProtocolException(messageIndex, "unprocessable message: " + e));
        }
    }

    private static boolean isBlank(byte[] bytes, int length) {
        for (int i = 0; i < length; i++) {
            if (bytes[i] != ' ' && bytes[i] != '\r' && bytes[i] != '\t') {
                return false;
            }
        }
        return true;
    }

    private static String decode(long index, byte[] bytes, int length) throws QmpProtocolException {
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, length));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new QmpProtocolException(index, "message is not valid UTF-8");
        }
    }

    private static JsonObject parseObject(long index, String text) throws QmpProtocolException {
        try (JsonReader reader = new JsonReader(new StringReader(text))) {
            reader.setStrictness(Strictness.STRICT);
            JsonElement element = JSON.read(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new QmpProtocolException(index, "trailing data after the JSON value");
            }
            if (element == null || !element.isJsonObject()) {
                throw new QmpProtocolException(index, "message is not a JSON object");
            }
            return element.getAsJsonObject();
        } catch (IOException | JsonParseException | IllegalStateException e) {
            throw new QmpProtocolException(index, "malformed JSON: " + e.getMessage());
        }
    }

    private void handleMessage(long index, String text) throws HypervisorException {
        JsonObject message = parseObject(index, text.strip());
        if (message.has("QMP")) {
            if (greeting.isDone() || !message.get("QMP").isJsonObject()) {
                throw new QmpProtocolException(index, "unexpected greeting");
            }
            greeting.complete(message.getAsJsonObject("QMP"));
        } else if (message.has("event")) {
            // QEMU can queue an event it emits while the monitor connection opens ahead of the greeting
            dispatchEvent(parseEvent(index, message));
        } else if (!greeting.isDone()) {
            throw new QmpProtocolException(index, "expected the QMP greeting, got keys " + message.keySet());
        } else if (message.has("return") || message.has("error")) {
            completeReply(index, message);
        } else {
            throw new QmpProtocolException(index, "neither greeting, event nor reply: keys " + message.keySet());
        }
    }

    private static QmpEvent parseEvent(long index, JsonObject message) throws QmpProtocolException {
        JsonElement name = message.get("event");
        if (!name.isJsonPrimitive() || !name.getAsJsonPrimitive().isString()) {
            throw new QmpProtocolException(index, "event name is not a string");
        }
        JsonElement data = message.get("data");
        if (data != null && !data.isJsonObject()) {
            throw new QmpProtocolException(index, "event " + name.getAsString() + " has non-object data");
        }
        JsonElement timestamp = message.get("timestamp");
        if (timestamp == null || !timestamp.isJsonObject()) {
            throw new QmpProtocolException(index, "event " + name.getAsString() + " has no timestamp object");
        }
        JsonObject time = timestamp.getAsJsonObject();
        try {
            long seconds = JsonValues.exactLong(time.get("seconds"));
            long micros = JsonValues.exactLong(time.get("microseconds"));
            return new QmpEvent(name.getAsString(), data == null ? null : data.getAsJsonObject(),
                    Instant.ofEpochSecond(seconds, Math.multiplyExact(micros, 1000L)));
        } catch (RuntimeException e) {
            throw new QmpProtocolException(index, "event " + name.getAsString() + " has a malformed timestamp "
                    + time);
        }
    }

    private void completeReply(long index, JsonObject message) throws QmpProtocolException {
        JsonElement idElement = message.get("id");
        long id;
        try {
            id = JsonValues.exactLong(idElement);
        } catch (IllegalArgumentException e) {
            throw new QmpProtocolException(index, "reply carries no numeric id this client issued: " + idElement);
        }
        if (id <= 0 || id >= nextId.get()) {
            throw new QmpProtocolException(index, "reply to id " + id + ", which this client never issued");
        }
        CompletableFuture<JsonObject> waiting = pending.get(id);
        if (waiting != null) {
            waiting.complete(message);
        } // else: the caller timed out and left; a late reply is harmless.
    }

    private void dispatchEvent(QmpEvent event) {
        for (Consumer<QmpEvent> listener : listeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "QMP event listener failed on " + event.name(), e);
            }
        }
        for (EventSubscription subscription : subscriptions) {
            subscription.offer(event);
        }
    }

    private void shutDown(HypervisorException reason) {
        synchronized (this) {
            if (closedReason != null) {
                return;
            }
            closedReason = reason;
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing " + peer, e);
        }
        writer.shutdownNow();
        greeting.completeExceptionally(reason);
        pending.values().forEach(reply -> reply.completeExceptionally(reason));
        subscriptions.forEach(EventSubscription::wake);
    }
}
