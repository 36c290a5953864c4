package org.vtpmmigrate.management;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import org.vtpmmigrate.management.internal.AlertSendingSslContext;
import org.vtpmmigrate.management.internal.ApiHandler;
import org.vtpmmigrate.management.internal.SslContexts;
import org.vtpmmigrate.management.internal.V1Routes;

/**
 * Serves a {@link ManagementService} over HTTPS on the JDK's HTTP server: TLS 1.3 only, client
 * certificates of the administrator CA required, a bounded worker pool.
 * <p>
 * The service is looked up per request for the authenticated {@link Caller}, so an implementation can
 * record who asked (audit) and decide per caller; {@code caller -> service} is fine when it need not.
 * <p>
 * In OSGi, {@code com.sun.net.httpserver} must be exported by the system bundle
 * ({@code org.osgi.framework.system.packages.extra}).
 */
public final class ManagementServer implements AutoCloseable {
    private static final int BACKLOG = 64;
    private static final AtomicInteger SERVER_NUMBERS = new AtomicInteger();

    private final HttpsServer server;
    private final ThreadPoolExecutor workers;
    private final ApiHandler handler;
    private final Duration stopGrace;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ManagementServer(HttpsServer server, ThreadPoolExecutor workers, ApiHandler handler, Duration stopGrace) {
        this.server = server;
        this.workers = workers;
        this.handler = handler;
        this.stopGrace = stopGrace;
    }

    /**
     * Binds and starts a server.
     *
     * @param credentials an agent's credentials (the certificate must carry serverAuth)
     * @param services the service to serve, per authenticated caller
     * @throws IOException if the address cannot be bound
     */
    public static ManagementServer start(ServerSettings settings, TlsCredentials credentials,
            Function<Caller, ? extends ManagementService> services) throws IOException {
        if (credentials.role() != Role.AGENT) {
            throw new IllegalArgumentException("a management server needs agent credentials, '"
                    + credentials.subject() + "' is " + credentials.role());
        }
        return start(settings, credentials.sslContext(), services);
    }

    static ManagementServer start(ServerSettings settings, SSLContext sslContext,
            Function<Caller, ? extends ManagementService> services) throws IOException {
        Objects.requireNonNull(services, "services");
        HttpsServer server = HttpsServer.create(settings.bindAddress(), BACKLOG);
        server.setHttpsConfigurator(new HttpsConfigurator(AlertSendingSslContext.wrap(sslContext)) {
            @Override
            public void configure(HttpsParameters parameters) {
                parameters.setSSLParameters(SslContexts.parameters(sslContext, true));
            }
        });
        ApiHandler handler = new ApiHandler(V1Routes.ROUTES, services, settings.maxRequestBodyBytes(),
                settings.maxRequestHeaders());
        server.createContext("/", handler);
        ThreadPoolExecutor workers = new ThreadPoolExecutor(settings.workerThreads(), settings.workerThreads(), 30,
                TimeUnit.SECONDS, new ArrayBlockingQueue<>(settings.queueCapacity()),
                workerThreads(server.getAddress().getPort()));
        // Idle workers end; with the queue full, the JDK server closes the connection of a new request.
        workers.allowCoreThreadTimeOut(true);
        server.setExecutor(workers);
        server.start();
        return new ManagementServer(server, workers, handler, settings.stopGrace());
    }

    private static ThreadFactory workerThreads(int port) {
        String prefix = "vtpm-management-" + SERVER_NUMBERS.incrementAndGet() + "-port" + port + "-";
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** The bound address; its port is the real one when port 0 was asked for. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Requests accepted but waiting for a worker. */
    int queuedRequests() {
        return workers.getQueue().size();
    }

    /** Whether every worker thread has ended (after {@link #close()}). */
    boolean workersTerminated() {
        return workers.isTerminated();
    }

    /**
     * Stops: new requests get {@code 503 unavailable}, requests in progress get up to the stop grace to
     * finish, then the listener and all connections close and the workers end. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        boolean interrupted = false;
        try {
            handler.stopAndAwaitIdle(stopGrace);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        server.stop(0);
        workers.shutdown();
        try {
            if (!workers.awaitTermination(stopGrace.toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            interrupted = true;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
