package org.vtpmmigrate.tpm;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

import org.vtpmmigrate.testsupport.SwtpmProcess;

/**
 * A credential made offline by tpm2_makecredential, an implementation of MakeCredential
 * independent of the bundle: the TPM2B_ID_OBJECT and TPM2B_ENCRYPTED_SECRET that
 * TPM2_ActivateCredential takes.
 *
 * @param credentialBlob the TPM2B_ID_OBJECT, size field included
 * @param encryptedSecret the TPM2B_ENCRYPTED_SECRET, size field included
 */
public record ToolMadeCredential(byte[] credentialBlob, byte[] encryptedSecret) {

    private static final int FILE_MAGIC = 0xBADCC0DE;
    private static final int FILE_VERSION = 1;

    /**
     * Runs tpm2_makecredential (with {@code --tcti none}: it needs no TPM) in the swtpm's working
     * directory, for the EK with this TPM2B_PUBLIC and the key with this name.
     */
    public static ToolMadeCredential make(SwtpmProcess swtpm, byte[] ekTpm2bPublic, byte[] secret, byte[] keyName)
            throws IOException {
        Path directory = swtpm.workingDirectory();
        Path ekFile = Files.write(Files.createTempFile(directory, "ek-", ".pub"), ekTpm2bPublic);
        Path secretFile = Files.write(Files.createTempFile(directory, "secret-", ".bin"), secret);
        Path output = Files.createTempFile(directory, "credential-", ".out");
        swtpm.runTool("tpm2_makecredential", "--tcti", "none", "-u", ekFile.toString(), "-s", secretFile.toString(),
                "-n", HexFormat.of().formatHex(keyName), "-o", output.toString()).requireSuccess();
        return parse(Files.readAllBytes(output));
    }

    /**
     * For the ECC P-256 attestation key and the RSA EK of the swtpm. The attestation key is a
     * primary key, the same on every connection, so the credential serves on any later one.
     */
    public static ToolMadeCredential forEccAttestationKey(SwtpmProcess swtpm, byte[] secret)
            throws IOException, TpmException {
        byte[] akName;
        byte[] ekPublic;
        try (TpmConnection tpm = TpmConnector.of(TpmEndpoint.parse(swtpm.endpointSpec())).connect();
                AttestationKey ak = tpm.createAttestationKey(AkAlgorithm.ECC_NIST_P256)) {
            akName = ak.keyPublic().name();
            ekPublic = tpm.readEkPublic(EkType.RSA_2048).tpm2bPublic();
        }
        return make(swtpm, ekPublic, secret, akName);
    }

    /**
     * Reads tpm2_makecredential's output file: magic, version, then the two TPM2B structures.
     *
     * @throws IllegalArgumentException naming what is wrong with the file
     */
    public static ToolMadeCredential parse(byte[] file) {
        ByteBuffer in = ByteBuffer.wrap(file);
        try {
            int magic = in.getInt();
            int version = in.getInt();
            if (magic != FILE_MAGIC || version != FILE_VERSION) {
                throw new IllegalArgumentException(String.format(
                        "not a tpm2_makecredential file of version 1: magic 0x%08x, version %d", magic, version));
            }
            ToolMadeCredential credential = new ToolMadeCredential(takeTpm2b(in), takeTpm2b(in));
            if (in.hasRemaining()) {
                throw new IllegalArgumentException(in.remaining() + " bytes after the encrypted secret at offset "
                        + in.position());
            }
            return credential;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("tpm2_makecredential file of " + file.length + " bytes is truncated", e);
        }
    }

    /** A TPM2B with its size field. */
    private static byte[] takeTpm2b(ByteBuffer in) {
        int start = in.position();
        byte[] tpm2b = new byte[2 + (in.getShort() & 0xFFFF)];
        in.position(start).get(tpm2b);
        return tpm2b;
    }
}
