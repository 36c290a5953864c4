package org.vtpmmigrate.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;

import org.vtpmmigrate.testsupport.ProcessResult;
import org.vtpmmigrate.testsupport.SwtpmProcess;

/**
 * Test fixture: an attestation key in a real swtpm, made and used with tpm2-tools. tpm2_sign
 * hashes the record bytes in the TPM (a hash sequence for more than 1024 bytes), gets the
 * hash-check ticket a restricted key needs, and signs: the path the engine's TPM signer takes.
 */
final class TpmToolsAk implements RecordSigner {
    private final SwtpmProcess tpm;
    private final Path work;
    private final Path context;
    private final byte[] publicArea;

    private TpmToolsAk(SwtpmProcess tpm, Path work, Path context, byte[] publicArea) {
        this.tpm = tpm;
        this.work = work;
        this.context = context;
        this.publicArea = publicArea;
    }

    /**
     * Creates an AK under the TPM's ECC EK.
     *
     * @param algorithm tpm2_createak {@code -G}, e.g. {@code ecc} or {@code rsa}
     * @param scheme tpm2_createak {@code -s}, e.g. {@code ecdsa}, {@code rsassa}
     */
    static TpmToolsAk create(SwtpmProcess tpm, Path work, String name, String algorithm, String scheme)
            throws IOException {
        Path ek = work.resolve(name + "-ek.ctx");
        Path ak = work.resolve(name + ".ctx");
        Path pub = work.resolve(name + ".pub");
        Path akName = work.resolve(name + ".name");
        tpm.runToolThenFlush("tpm2_createek", "-c", ek.toString(), "-G", "ecc").requireSuccess();
        tpm.runToolThenFlush("tpm2_createak", "-C", ek.toString(), "-c", ak.toString(), "-G", algorithm, "-g", "sha256",
                "-s", scheme, "-u", pub.toString(), "-n", akName.toString()).requireSuccess();
        return new TpmToolsAk(tpm, work, ak, Files.readAllBytes(pub));
    }

    /** The AK's name as tpm2_createak computed it. */
    byte[] toolName() throws IOException {
        return Files.readAllBytes(Path.of(context.toString().replace(".ctx", ".name")));
    }

    @Override
    public byte[] akPublicArea() {
        return publicArea.clone();
    }

    @Override
    public byte[] sign(byte[] recordBytes) throws GeneralSecurityException {
        try {
            Path message = Files.createTempFile(work, "record-", ".bin");
            Path signature = work.resolve(message.getFileName() + ".sig");
            Files.write(message, recordBytes);
            ProcessResult r = tpm.runToolThenFlush("tpm2_sign", "-c", context.toString(), "-g", "sha256", "-o",
                    signature.toString(), message.toString());
            if (r.exitCode() != 0) {
                throw new GeneralSecurityException("tpm2_sign failed: " + r.stderr().strip());
            }
            return Files.readAllBytes(signature);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The TPM's RSA EK certificate (DER) from its NV index (swtpm_setup makes RSA-2048 and ECC P-384 EKs). */
    byte[] ekCertificate() throws IOException {
        Path out = work.resolve("ek-rsa.der");
        tpm.runToolThenFlush("tpm2_nvread", "-C", "o", "-o", out.toString(), "0x01c00002").requireSuccess();
        return Files.readAllBytes(out);
    }
}
