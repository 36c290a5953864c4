package org.vtpmmigrate.management.internal;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.vtpmmigrate.management.Caller;
import org.vtpmmigrate.management.ErrorCode;
import org.vtpmmigrate.management.ManagementException;
import org.vtpmmigrate.management.ManagementService;
import org.vtpmmigrate.management.Role;

/**
 * The one HTTP handler of a management server: limits, caller identity, routing, authorisation, JSON in
 * and out, and errors as {@code {"error": {...}}} bodies. Faults inside a service become
 * {@code 500 internal_error} with an incident id; the stack trace goes to the log, never to the client.
 */
public final class ApiHandler implements HttpHandler {
    private static final System.Logger LOG = System.getLogger("org.vtpmmigrate.management");
    /** Request targets of this API are short; a long one is a mistake or a probe. */
    static final int MAX_URI_LENGTH = 2048;

    private final List<Route> routes;
    private final Function<Caller, ? extends ManagementService> services;
    private final int maxBodyBytes;
    private final int maxHeaders;

    private final Object lock = new Object();
    private int inFlight;
    private boolean stopping;

    public ApiHandler(List<Route> routes, Function<Caller, ? extends ManagementService> services, int maxBodyBytes,
            int maxHeaders) {
        this.routes = List.copyOf(routes);
        this.services = services;
        this.maxBodyBytes = maxBodyBytes;
        this.maxHeaders = maxHeaders;
    }

    @Override
    public void handle(HttpExchange exchange) {
        boolean admitted = enter();
        String method = exchange.getRequestMethod();
        String target = String.valueOf(exchange.getRequestURI().getRawPath());
        Reply reply;
        String callerName = "-";
        try {
            if (!admitted) {
                reply = Reply.error(ErrorCode.UNAVAILABLE, "the agent is stopping");
            } else {
                try {
                    Caller caller = authenticate(exchange);
                    callerName = caller.subject();
                    reply = process(exchange, caller);
                } catch (ManagementException e) {
                    reply = Reply.error(e);
                } catch (RuntimeException e) {
                    String incident = UUID.randomUUID().toString();
                    LOG.log(Level.ERROR, "incident " + incident + ": " + method + " " + Check.show(target) + " by "
                            + callerName + " failed", e);
                    reply = Reply.error(ErrorCode.INTERNAL_ERROR, "internal error; the agent log has incident "
                            + incident);
                }
            }
            send(exchange, reply);
            int status = reply.status();
            LOG.log(Level.DEBUG, () -> method + " " + Check.show(target) + " -> " + status);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> method + " " + Check.show(target) + ": the client went away: " + e);
        } catch (RuntimeException e) {
            // Only a fault in writing the answer gets here; the client sees the connection close.
            LOG.log(Level.ERROR, method + " " + Check.show(target) + ": cannot send the answer", e);
        } finally {
            exchange.close();
            if (admitted) {
                leave();
            }
        }
    }

    private Reply process(HttpExchange exchange, Caller caller) throws ManagementException, IOException {
        int headerCount = exchange.getRequestHeaders().values().stream().mapToInt(List::size).sum();
        if (headerCount > maxHeaders) {
            throw new ManagementException(ErrorCode.HEADERS_TOO_LARGE, headerCount
                    + " request header fields, at most " + maxHeaders + " accepted");
        }
        URI uri = exchange.getRequestURI();
        String rawPath = uri.getRawPath();
        String rawQuery = uri.getRawQuery();
        int targetLength = (rawPath == null ? 0 : rawPath.length()) + (rawQuery == null ? 0 : rawQuery.length() + 1);
        if (targetLength > MAX_URI_LENGTH) {
            throw new ManagementException(ErrorCode.URI_TOO_LONG, "request target of " + targetLength
                    + " characters, at most " + MAX_URI_LENGTH + " accepted");
        }
        List<String> segments;
        try {
            segments = PathTemplate.decodeSegments(rawPath);
        } catch (IllegalArgumentException e) {
            throw new ManagementException(ErrorCode.MALFORMED_REQUEST, "path: " + e.getMessage());
        }
        String method = exchange.getRequestMethod();
        Route route = null;
        Map<String, String> pathParameters = null;
        Set<String> allowed = new TreeSet<>();
        for (Route candidate : routes) {
            Optional<Map<String, String>> match = candidate.path().match(segments);
            if (match.isPresent()) {
                allowed.add(candidate.method());
                if (candidate.method().equals(method)) {
                    route = candidate;
                    pathParameters = match.get();
                }
            }
        }
        if (allowed.isEmpty()) {
            throw new ManagementException(ErrorCode.NOT_FOUND, "no endpoint at " + Check.show(rawPath));
        }
        if (route == null) {
            Reply reply = Reply.error(ErrorCode.METHOD_NOT_ALLOWED, Check.show(method) + " is not allowed on "
                    + Check.show(rawPath) + "; allowed: " + String.join(", ", allowed));
            return new Reply(reply.status(), reply.body(), Map.of("Allow", String.join(", ", allowed)));
        }
        if (!route.roles().contains(caller.role())) {
            throw new ManagementException(ErrorCode.FORBIDDEN, "role " + caller.role().organisationalUnit()
                    + " may not call " + route.method() + " " + route.path());
        }
        Map<String, String> query = parseQuery(rawQuery, route.queryParameters());
        Object body = route.bodyType() == null ? requireNoBody(exchange, route) : readBody(exchange, route);
        ManagementService service = services.apply(caller);
        return route.action().run(new Request(pathParameters, query, body), service);
    }

    private static Caller authenticate(HttpExchange exchange) throws ManagementException {
        if (!(exchange instanceof HttpsExchange)) {
            throw new ManagementException(ErrorCode.UNAUTHENTICATED, "plain HTTP is not served; use HTTPS");
        }
        SSLSession session = ((HttpsExchange) exchange).getSSLSession();
        Certificate[] chain;
        try {
            chain = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            throw new ManagementException(ErrorCode.UNAUTHENTICATED, "no client certificate was presented");
        }
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate)) {
            throw new ManagementException(ErrorCode.UNAUTHENTICATED, "no X.509 client certificate was presented");
        }
        X509Certificate certificate = (X509Certificate) chain[0];
        String subject = Subjects.rfc2253(certificate);
        Role role = Subjects.role(certificate).orElseThrow(() -> new ManagementException(ErrorCode.FORBIDDEN,
                "the client certificate '" + subject + "' names no role"));
        String name = Subjects.commonName(certificate).orElseThrow(() -> new ManagementException(
                ErrorCode.FORBIDDEN, "the client certificate '" + subject + "' has no single CN"));
        InetSocketAddress remote = exchange.getRemoteAddress();
        return new Caller(subject, name, role, certificate.getSerialNumber().toString(16), sha256(certificate),
                remote.getAddress().getHostAddress() + ":" + remote.getPort());
    }

    private static String sha256(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot fingerprint the client certificate", e);
        }
    }

    private static Map<String, String> parseQuery(String rawQuery, Set<String> accepted) throws ManagementException {
        Map<String, String> query = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return query;
        }
        for (String pair : rawQuery.split("&", -1)) {
            int equals = pair.indexOf('=');
            String name;
            String value;
            try {
                name = PathTemplate.percentDecode(equals < 0 ? pair : pair.substring(0, equals));
                value = equals < 0 ? "" : PathTemplate.percentDecode(pair.substring(equals + 1));
            } catch (IllegalArgumentException e) {
                throw new ManagementException(ErrorCode.MALFORMED_REQUEST, "query: " + e.getMessage());
            }
            if (!accepted.contains(name)) {
                throw new ManagementException(ErrorCode.MALFORMED_REQUEST, "unknown query parameter "
                        + Check.show(name) + (accepted.isEmpty() ? "; this endpoint takes none"
                                : "; accepted: " + String.join(", ", new TreeSet<>(accepted))));
            }
            if (query.put(name, value) != null) {
                throw new ManagementException(ErrorCode.MALFORMED_REQUEST, "query parameter " + name
                        + " appears twice");
            }
        }
        return query;
    }

    private static Object requireNoBody(HttpExchange exchange, Route route) throws ManagementException {
        Headers headers = exchange.getRequestHeaders();
        String length = headers.getFirst("Content-Length");
        if (headers.containsKey("Transfer-Encoding") || (length != null && !length.trim().equals("0"))) {
            throw new ManagementException(ErrorCode.MALFORMED_REQUEST, route.method() + " " + route.path()
                    + " takes no request body");
        }
        return null;
    }

    private Object readBody(HttpExchange exchange, Route route) throws ManagementException, IOException {
        Headers headers = exchange.getRequestHeaders();
        String contentType = headers.getFirst("Content-Type");
        if (!isJson(contentType)) {
            throw new ManagementException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "the request body must be "
                    + ApiPaths.JSON_MEDIA_TYPE + " (UTF-8), not " + Check.show(contentType));
        }
        String lengthHeader = headers.getFirst("Content-Length");
        InputStream in = exchange.getRequestBody();
        if (lengthHeader != null) {
            long declared;
            try {
                declared = Long.parseLong(lengthHeader.trim());
            } catch (NumberFormatException e) {
                throw new ManagementException(ErrorCode.MALFORMED_REQUEST, "Content-Length "
                        + Check.show(lengthHeader) + " is not a number");
            }
            if (declared > maxBodyBytes) {
                // Reading what the client is sending anyway lets it see the 413 instead of a reset connection.
                if (declared <= 2L * maxBodyBytes) {
                    discard(in, declared);
                }
                throw tooLarge(declared + " bytes");
            }
        }
        byte[] body = in.readNBytes(maxBodyBytes + 1);
        if (body.length > maxBodyBytes) {
            discard(in, maxBodyBytes);
            throw tooLarge("more than " + maxBodyBytes + " bytes");
        }
        try {
            return Json.read(body, route.bodyType(), Json.UnknownFields.REJECT);
        } catch (JsonBindingException e) {
            throw new ManagementException(ErrorCode.MALFORMED_REQUEST, "request body: " + e.getMessage());
        }
    }

    private ManagementException tooLarge(String size) {
        return new ManagementException(ErrorCode.PAYLOAD_TOO_LARGE, "request body of " + size + " exceeds the limit of "
                + maxBodyBytes + " bytes");
    }

    private static void discard(InputStream in, long bytes) throws IOException {
        byte[] buffer = new byte[16 * 1024];
        long left = bytes;
        int read;
        while (left > 0 && (read = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0) {
            left -= read;
        }
    }

    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String[] parts = contentType.split(";");
        if (!parts[0].trim().equalsIgnoreCase(ApiPaths.JSON_MEDIA_TYPE)) {
            return false;
        }
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].trim().toLowerCase(Locale.ROOT);
            if (parameter.startsWith("charset=") && !parameter.equals("charset=utf-8")
                    && !parameter.equals("charset=\"utf-8\"")) {
                return false;
            }
        }
        return true;
    }

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        byte[] json = reply.body() == null ? new byte[0] : Json.write(reply.body());
        Headers headers = exchange.getResponseHeaders();
        headers.set("Content-Type", ApiPaths.JSON_MEDIA_TYPE + "; charset=utf-8");
        headers.set("Cache-Control", "no-store");
        headers.set("X-Content-Type-Options", "nosniff");
        reply.headers().forEach(headers::set);
        exchange.sendResponseHeaders(reply.status(), json.length == 0 ? -1 : json.length);
        if (json.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(json);
            }
        }
    }

    private boolean enter() {
        synchronized (lock) {
            if (stopping) {
                return false;
            }
            inFlight++;
            return true;
        }
    }

    private void leave() {
        synchronized (lock) {
            inFlight--;
            if (inFlight == 0) {
                lock.notifyAll();
            }
        }
    }

    /**
     * Refuses new requests (503) and waits until those in progress have been answered.
     *
     * @return whether all were answered within {@code grace}
     */
    public boolean stopAndAwaitIdle(Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        synchronized (lock) {
            stopping = true;
            while (inFlight > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    private static final class Request implements Route.ApiRequest {
        private final Map<String, String> pathParameters;
        private final Map<String, String> query;
        private final Object body;

        Request(Map<String, String> pathParameters, Map<String, String> query, Object body) {
            this.pathParameters = pathParameters;
            this.query = query;
            this.body = body;
        }

        @Override
        public String pathId(String name) throws ManagementException {
            String value = pathParameters.get(name);
            if (value == null) {
                throw new IllegalStateException("route has no path parameter " + name);
            }
            try {
                return Check.identifier(name, value);
            } catch (InvalidFieldException e) {
                throw new ManagementException(ErrorCode.MALFORMED_REQUEST, "path parameter " + e.getMessage());
            }
        }

        @Override
        public long queryLong(String name, long absent, long min, long max) throws ManagementException {
            String value = query.get(name);
            if (value == null) {
                return absent;
            }
            try {
                if (!value.isEmpty() && value.length() <= 19 && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    long number = Long.parseLong(value);
                    if (number >= min && number <= max) {
                        return number;
                    }
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new ManagementException(ErrorCode.MALFORMED_REQUEST, "query parameter " + name + ": "
                    + Check.show(value) + " is not an integer in " + min + ".." + max);
        }

        @Override
        public <T> T body(Class<T> type) {
            return type.cast(body);
        }
    }
}
