package org.vtpmmigrate.attest.tpm2;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Arrays;

import org.vtpmmigrate.attest.tpm2.internal.TpmReader;
import org.vtpmmigrate.attest.tpm2.internal.TpmWriter;

/**
 * TPM2_Certify sent as raw command bytes to swtpm's data port, for what tpm2-tools 5.4 cannot
 * do: tpm2_certify has no option for qualifying data. Objects are addressed by persistent
 * handle; both authorisations are empty passwords (TPM_RS_PW).
 */
final class RawTpmCommands {
    private static final int TPM_ST_SESSIONS = 0x8002;
    private static final int TPM_CC_CERTIFY = 0x00000148;
    private static final int TPM_RS_PW = 0x40000009;
    private static final int TPM_ALG_NULL = 0x0010;
    private static final int MAX_ATTEST = 2048;

    record Certification(byte[] attest, byte[] signature) {
    }

    private RawTpmCommands() {
    }

    static Certification certify(int port, int objectHandle, int signHandle, byte[] qualifyingData) throws Exception {
        TpmWriter passwordAuth = new TpmWriter().u32(TPM_RS_PW).tpm2b(new byte[0]).u8(0).tpm2b(new byte[0]);
        byte[] auth = passwordAuth.toByteArray();
        byte[] body = new TpmWriter().u32(Integer.toUnsignedLong(objectHandle)).u32(Integer.toUnsignedLong(signHandle)).u32(2L * auth.length).bytes(auth).bytes(auth)
                .tpm2b(qualifyingData).u16(TPM_ALG_NULL).toByteArray();
        byte[] command = new TpmWriter().u16(TPM_ST_SESSIONS).u32(10L + body.length).u32(TPM_CC_CERTIFY).bytes(body)
                .toByteArray();
        byte[] response = transact(port, command);
        TpmReader r = TpmReader.of(response, "TPM2_Certify response");
        r.u16("tag");
        r.u32("responseSize");
        long rc = r.u32("responseCode");
        assertEquals(0, rc, String.format("TPM2_Certify returned 0x%03x", rc));
        r.u32("parameterSize");
        byte[] attest = r.tpm2b("certifyInfo", MAX_ATTEST);
        int sigStart = r.offset();
        skipSignature(r);
        byte[] signature = Arrays.copyOfRange(response, sigStart, r.offset());
        return new Certification(attest, signature);
    }

    private static byte[] transact(int port, byte[] command) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(command);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] header = new byte[10];
            in.readFully(header);
            int size = ((header[2] & 0xFF) << 24) | ((header[3] & 0xFF) << 16) | ((header[4] & 0xFF) << 8) | (header[5] & 0xFF);
            if (size < 10 || size > 8192) {
                throw new IOException("TPM response size " + size);
            }
            byte[] response = new byte[size];
            System.arraycopy(header, 0, response, 0, 10);
            in.readFully(response, 10, size - 10);
            return response;
        }
    }

    /** Steps over a TPMT_SIGNATURE of the schemes an AK uses. */
    private static void skipSignature(TpmReader r) throws Exception {
        int alg = r.u16("sigAlg");
        r.u16("hash");
        if (alg == TpmScheme.ECDSA.tpmAlgId()) {
            r.tpm2b("r", 66);
            r.tpm2b("s", 66);
        } else {
            r.tpm2b("sig", 512);
        }
    }
}
