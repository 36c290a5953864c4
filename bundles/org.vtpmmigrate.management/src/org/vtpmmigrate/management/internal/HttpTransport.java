package org.vtpmmigrate.management.internal;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.vtpmmigrate.management.ClientSettings;
import org.vtpmmigrate.management.ErrorCode;
import org.vtpmmigrate.management.ManagementException;

/**
 * The client's HTTP exchange: one JSON request, one bounded JSON answer, and every failure as a
 * {@link ManagementException}: the agent's own error, or what went wrong on the way (unreachable, TLS
 * refused, timed out, connection lost, unusable answer).
 */
public final class HttpTransport {
    private static final long BODY_GRACE_MILLIS = 1000;

    private final URI base;
    private final HttpClient client;
    private final ClientSettings settings;

    public HttpTransport(URI base, SSLContext sslContext, ClientSettings settings) {
        this.base = base;
        this.settings = settings;
        this.client = HttpClient.newBuilder().sslContext(sslContext)
                .sslParameters(SslContexts.parameters(sslContext, false)).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout()).followRedirects(HttpClient.Redirect.NEVER)
                .proxy(HttpClient.Builder.NO_PROXY).build();
    }

    /**
     * Sends {@code body} (a record, or null) and reads the answer as {@code responseType}.
     *
     * @param expectedStatus the success status of this endpoint (200, or 202 for started operations)
     */
    public <T> T exchange(String method, String pathAndQuery, Object body, int expectedStatus, Class<T> responseType)
            throws ManagementException {
        URI uri = base.resolve(pathAndQuery);
        String call = method + " " + uri;
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(settings.requestTimeout())
                .header("Accept", ApiPaths.JSON_MEDIA_TYPE);
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", ApiPaths.JSON_MEDIA_TYPE + "; charset=utf-8")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(Json.write(body)));
        }
        HttpResponse<byte[]> response = send(request.build(), call);
        int status = response.statusCode();
        if (status == expectedStatus) {
            requireJson(response, call);
            try {
                return Json.read(response.body(), responseType, Json.UnknownFields.IGNORE);
            } catch (JsonBindingException e) {
                throw ManagementException.clientSide(ErrorCode.BAD_RESPONSE, call + ": the answer is not a valid "
                        + responseType.getSimpleName() + ": " + e.getMessage(), e);
            }
        }
        if (status >= 200 && status < 300) {
            throw ManagementException.clientSide(ErrorCode.BAD_RESPONSE, call + ": HTTP " + status + ", expected "
                    + expectedStatus, null);
        }
        ErrorBody error;
        try {
            requireJson(response, call);
            error = Json.read(response.body(), ErrorBody.class, Json.UnknownFields.IGNORE);
        } catch (ManagementException | JsonBindingException e) {
            throw ManagementException.clientSide(ErrorCode.BAD_RESPONSE, call + ": HTTP " + status
                    + " without a management API error body (" + e.getMessage() + ")", e);
        }
        throw ManagementException.fromServer(status, error.error().code(), error.error().message());
    }

    private HttpResponse<byte[]> send(HttpRequest request, String call) throws ManagementException {
        CompletableFuture<HttpResponse<byte[]>> future = client.sendAsync(request,
                info -> new BoundedBody(info, settings.maxResponseBodyBytes()));
        // The client's own timer (request timeout) fires first and tells the connection phase from the
        // answer phase; this later deadline also bounds an answer body that stalls after its headers.
        long deadline = settings.requestTimeout().toMillis() + BODY_GRACE_MILLIS;
        try {
            return future.get(deadline, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw ManagementException.clientSide(ErrorCode.TIMEOUT, call + ": no complete answer within "
                    + deadline + " ms", e);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw ManagementException.clientSide(ErrorCode.INTERRUPTED, call + ": interrupted while waiting", e);
        } catch (CancellationException e) {
            throw ManagementException.clientSide(ErrorCode.INTERRUPTED, call + ": cancelled", e);
        } catch (ExecutionException e) {
            throw classify(e.getCause(), call);
        }
    }

    /** Maps an exchange failure to what an operator needs to know: where it broke. */
    ManagementException classify(Throwable failure, String call) {
        if (find(failure, ResponseTooLargeException.class) != null) {
            return ManagementException.clientSide(ErrorCode.BAD_RESPONSE, call + ": "
                    + find(failure, ResponseTooLargeException.class).getMessage(), failure);
        }
        // A TLS failure means the TCP connection stood: the agent is reachable but untrusted or refusing.
        SSLException tls = find(failure, SSLException.class);
        if (tls != null && closedWithoutAlert(tls)) {
            // No alert, just a closed connection mid-handshake: an overloaded or stopping server, or not
            // a TLS server at all. An agent that refuses our certificate says so with an alert.
            return ManagementException.clientSide(ErrorCode.CONNECTION_LOST, call
                    + ": the connection closed during the TLS handshake without an alert (" + describe(tls) + ")",
                    failure);
        }
        if (tls != null) {
            return ManagementException.clientSide(ErrorCode.TLS_FAILED, call + ": TLS handshake failed ("
                    + describe(tls) + "); the agent's certificate is not from our CA, or ours was refused", failure);
        }
        if (find(failure, HttpConnectTimeoutException.class) != null) {
            return ManagementException.clientSide(ErrorCode.UNREACHABLE, call
                    + ": no connection (TCP and TLS handshake) within the connect or request timeout ("
                    + settings.connectTimeout().toMillis() + " / " + settings.requestTimeout().toMillis() + " ms)",
                    failure);
        }
        for (Class<? extends Throwable> unreachable : List.of(ConnectException.class, NoRouteToHostException.class,
                UnknownHostException.class, UnresolvedAddressException.class)) {
            Throwable cause = find(failure, unreachable);
            if (cause != null) {
                return ManagementException.clientSide(ErrorCode.UNREACHABLE, call + ": cannot connect ("
                        + describe(cause) + ")", failure);
            }
        }
        if (find(failure, HttpTimeoutException.class) != null) {
            return ManagementException.clientSide(ErrorCode.TIMEOUT, call + ": no answer within "
                    + settings.requestTimeout().toMillis() + " ms", failure);
        }
        return ManagementException.clientSide(ErrorCode.CONNECTION_LOST, call + ": the connection failed before a "
                + "complete answer (" + describe(failure) + ")", failure);
    }

    /**
     * Whether a TLS failure is just the connection closing mid-handshake. The JDK reports that as an
     * SSLHandshakeException too, with these messages (java.net.http SSLTube, SSLSocketImpl) or an I/O
     * cause; a refusal comes with an alert or a certificate problem instead.
     */
    private static boolean closedWithoutAlert(SSLException tls) {
        String message = String.valueOf(tls.getMessage());
        return message.startsWith("Remote host terminated the handshake")
                || message.startsWith("Remote host closed the channel") || find(tls, EOFException.class) != null
                || find(tls, SocketException.class) != null;
    }

    private static <E extends Throwable> E find(Throwable failure, Class<E> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    private static String describe(Throwable t) {
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    private static void requireJson(HttpResponse<?> response, String call) throws ManagementException {
        String contentType = response.headers().firstValue("Content-Type").orElse(null);
        if (!ApiHandler.isJson(contentType)) {
            throw ManagementException.clientSide(ErrorCode.BAD_RESPONSE, call + ": answer of type "
                    + Check.show(contentType) + ", expected " + ApiPaths.JSON_MEDIA_TYPE, null);
        }
    }

    /** An answer beyond the client's limit. */
    static final class ResponseTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        ResponseTooLargeException(String message) {
            super(message);
        }
    }

    /** Collects the answer body, failing as soon as it exceeds the limit. */
    private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final int limit;
        private final long declared;
        private Flow.Subscription subscription;

        BoundedBody(HttpResponse.ResponseInfo info, int limit) {
            this.limit = limit;
            OptionalLong length = info.headers().firstValueAsLong("Content-Length");
            this.declared = length.orElse(-1);
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            if (declared > limit) {
                subscription.cancel();
                result.completeExceptionally(new ResponseTooLargeException("answer of " + declared
                        + " bytes exceeds the client's limit of " + limit + " bytes"));
                return;
            }
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer item : items) {
                if (buffer.size() + (long) item.remaining() > limit) {
                    subscription.cancel();
                    result.completeExceptionally(new ResponseTooLargeException("answer exceeds the client's limit of "
                            + limit + " bytes"));
                    return;
                }
                byte[] chunk = new byte[item.remaining()];
                item.get(chunk);
                buffer.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            result.complete(buffer.toByteArray());
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }
    }
}
