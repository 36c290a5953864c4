package org.vtpmmigrate.management;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Requests the typed client never sends (wrong methods, broken JSON, huge bodies), over the same mutual
 * TLS as the client.
 */
final class RawHttps {
    private final InetSocketAddress server;
    private final SSLContext context;

    RawHttps(InetSocketAddress server, SSLContext context) {
        this.server = server;
        this.context = context;
    }

    URI uri(String pathAndQuery) {
        return URI.create("https://127.0.0.1:" + server.getPort() + pathAndQuery);
    }

    HttpResponse<String> send(String method, String pathAndQuery, HttpRequest.BodyPublisher body,
            Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(20))
                .method(method, body);
        headers.forEach(request::header);
        // a fresh client per request: each raw request gets its own connection, so one test's
        // refused or half-read exchange can never leave a pooled connection for the next
        HttpClient fresh = HttpClient.newBuilder().sslContext(context).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(30)).proxy(HttpClient.Builder.NO_PROXY).build();
        return fresh.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return send("GET", pathAndQuery, HttpRequest.BodyPublishers.noBody(), Map.of());
    }

    HttpResponse<String> postJson(String pathAndQuery, String json) throws IOException, InterruptedException {
        return send("POST", pathAndQuery, HttpRequest.BodyPublishers.ofString(json),
                Map.of("Content-Type", "application/json"));
    }

    /**
     * Writes a request head by hand (no body follows) and returns the status line of the answer: for
     * heads no client library sends, such as a Content-Length far beyond the limit.
     */
    String statusLineForHead(String head) throws IOException {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(server.getAddress(),
                server.getPort())) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                line.write(b);
            }
            return line.toString(StandardCharsets.US_ASCII).trim();
        }
    }
}
