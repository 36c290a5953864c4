package org.vtpmmigrate.attest.tpm2;

import java.util.Objects;

import org.vtpmmigrate.attest.tpm2.internal.TpmConstants;
import org.vtpmmigrate.attest.tpm2.internal.TpmReader;
import org.vtpmmigrate.attest.tpm2.internal.TpmWriter;

/**
 * The two inputs of TPM2_ActivateCredential made by {@link CredentialMaker}: the credential
 * blob (TPMS_ID_OBJECT: integrity HMAC, then the encrypted identity) and the encrypted seed
 * (the contents of TPM2B_ENCRYPTED_SECRET). Immutable.
 */
public final class IdentityCredential {
    /** tpm2-tools file header: magic and version 1, as files_write_header writes them. */
    private static final long TOOLS_MAGIC = 0xBADCC0DEL;
    private static final long TOOLS_VERSION = 1;

    private final byte[] integrityHmac;
    private final byte[] encIdentity;
    private final byte[] encryptedSecret;

    IdentityCredential(byte[] integrityHmac, byte[] encIdentity, byte[] encryptedSecret) {
        this.integrityHmac = integrityHmac.clone();
        this.encIdentity = encIdentity.clone();
        this.encryptedSecret = encryptedSecret.clone();
    }

    /** TPMS_ID_OBJECT.integrityHMAC (without size). */
    public byte[] integrityHmac() {
        return integrityHmac.clone();
    }

    /** TPMS_ID_OBJECT.encIdentity: the encrypted, size-prefixed credential. */
    public byte[] encIdentity() {
        return encIdentity.clone();
    }

    /** TPMS_ID_OBJECT marshalled: TPM2B integrityHMAC followed by encIdentity (its size is inside the ciphertext). */
    public byte[] idObject() {
        return new TpmWriter().tpm2b(integrityHmac).bytes(encIdentity).toByteArray();
    }

    /** TPM2B_ID_OBJECT, the credentialBlob parameter on the wire. */
    public byte[] credentialBlob() {
        return new TpmWriter().tpm2b(idObject()).toByteArray();
    }

    /** The RSA-OAEP ciphertext or the marshalled TPMS_ECC_POINT of the ephemeral key. */
    public byte[] encryptedSecret() {
        return encryptedSecret.clone();
    }

    /** The file tpm2_makecredential writes with {@code -o} and tpm2_activatecredential reads with {@code -i}. */
    public byte[] toTpm2ToolsFile() {
        return new TpmWriter().u32(TOOLS_MAGIC).u32(TOOLS_VERSION).bytes(credentialBlob()).tpm2b(encryptedSecret)
                .toByteArray();
    }

    /** Reads a tpm2_makecredential output file. */
    public static IdentityCredential fromTpm2ToolsFile(byte[] file) throws TpmFormatException {
        Objects.requireNonNull(file, "file");
        TpmReader r = TpmReader.of(file, "tpm2-tools credential file");
        long magic = r.u32("magic");
        if (magic != TOOLS_MAGIC) {
            throw r.errorAt("magic", 0, String.format("0x%08x is not the tpm2-tools magic 0xbadcc0de", magic));
        }
        long version = r.u32("version");
        if (version != TOOLS_VERSION) {
            throw r.errorAt("version", 4, "version " + version + " is not 1");
        }
        TpmReader id = r.sized("credentialBlob", TpmConstants.MAX_ID_OBJECT, "TPMS_ID_OBJECT");
        byte[] hmac = id.tpm2b("integrityHMAC", TpmConstants.MAX_DIGEST);
        if (id.remaining() < 2) {
            throw id.error("encIdentity", "missing encrypted identity");
        }
        byte[] encIdentity = id.bytes("encIdentity", id.remaining());
        byte[] secret = r.tpm2b("secret", TpmConstants.MAX_ENCRYPTED_SECRET);
        r.expectEnd();
        return new IdentityCredential(hmac, encIdentity, secret);
    }
}
