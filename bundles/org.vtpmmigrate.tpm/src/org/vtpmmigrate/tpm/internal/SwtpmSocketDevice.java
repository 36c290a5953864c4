package org.vtpmmigrate.tpm.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;

import org.vtpmmigrate.tpm.TpmException;
import org.vtpmmigrate.tpm.TpmTransportOptions;

/**
 * swtpm's TCP server port: raw TPM command bytes in, raw response bytes out, no extra framing
 * (unlike the Microsoft simulator protocol of TSS.Java's TpmDeviceTcp).
 */
final class SwtpmSocketDevice extends FramedTpmDevice {

    private final String host;
    private final int port;
    private final TpmTransportOptions options;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    SwtpmSocketDevice(String host, int port, TpmTransportOptions options) {
        super("swtpm at " + host + ":" + port, options.maxResponseBytes());
        this.host = host;
        this.port = port;
        this.options = options;
    }

    @Override
    void open() throws IOException {
        Socket candidate = new Socket();
        try {
            candidate.setTcpNoDelay(true);
            candidate.connect(new InetSocketAddress(host, port), (int) options.connectTimeout().toMillis());
            candidate.setSoTimeout((int) options.responseTimeout().toMillis());
            in = candidate.getInputStream();
            out = candidate.getOutputStream();
            socket = candidate;
        } catch (IOException e) {
            candidate.close();
            throw e;
        }
    }

    @Override
    void writeFrame(byte[] command) throws IOException {
        out.write(command);
        out.flush();
    }

    @Override
    byte[] readFrame(int maxResponseBytes) throws IOException {
        byte[] header = readExactly(HEADER_SIZE, 0, HEADER_SIZE);
        int size = announcedSize(header);
        byte[] response = new byte[size];
        System.arraycopy(header, 0, response, 0, HEADER_SIZE);
        byte[] body = readExactly(size - HEADER_SIZE, HEADER_SIZE, size);
        System.arraycopy(body, 0, response, HEADER_SIZE, body.length);
        return response;
    }

    private byte[] readExactly(int length, int alreadyRead, int total) throws IOException {
        byte[] bytes = in.readNBytes(length);
        if (bytes.length < length) {
            throw fail(TpmException.Kind.TRANSPORT, description() + " closed the connection after "
                    + (alreadyRead + bytes.length) + " of " + total + " response bytes to command code 0x"
                    + Integer.toHexString(pendingCommandCode()), null);
        }
        return bytes;
    }

    @Override
    String describe(IOException e) {
        if (e instanceof SocketTimeoutException) {
            return "no response from " + description() + " within " + options.responseTimeout().toMillis()
                    + " ms to command code 0x" + Integer.toHexString(pendingCommandCode());
        }
        return super.describe(e);
    }

    @Override
    void closeQuietly() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // Nothing more can go wrong with a socket that is being abandoned.
            }
        }
    }
}
