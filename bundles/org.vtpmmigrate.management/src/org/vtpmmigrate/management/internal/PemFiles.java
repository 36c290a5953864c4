package org.vtpmmigrate.management.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.util.io.pem.PemObject;
import org.vtpmmigrate.management.PkiException;
import org.vtpmmigrate.management.PkiException.Problem;

/**
 * Certificates and private keys as PEM files: certificates as {@code CERTIFICATE} blocks, keys as PKCS#8
 * {@code PRIVATE KEY} or, with a passphrase, {@code ENCRYPTED PRIVATE KEY} (PBES2: PBKDF2-HMAC-SHA256 and
 * AES-256-CBC, which OpenSSL reads too). Key files are created owner-only (0600) and refused on loading
 * when others may read them. Files are never overwritten.
 */
public final class PemFiles {
    /** A PEM file of this project holds a few certificates or one key: a few KiB. */
    public static final int MAX_FILE_BYTES = 256 * 1024;
    /** PBKDF2 rounds for encrypted keys: costly to guess, tolerable at agent start (about 0.1 s). */
    static final int PBKDF2_ITERATIONS = 210_000;

    private static final Set<PosixFilePermission> OWNER_ONLY = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE);
    private static final Set<PosixFilePermission> WORLD_READABLE = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    /** Bouncy Castle as a private provider object for PBES2; never registered with the JVM. */
    private static final class Provider {
        static final BouncyCastleProvider INSTANCE = new BouncyCastleProvider();
    }

    private PemFiles() {
    }

    /** Reads all certificates of a PEM file (at least one); any other block is an error. */
    public static List<X509Certificate> readCertificates(Path file) throws PkiException {
        List<X509Certificate> certificates = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(readText(file)))) {
            Object object;
            while ((object = readObject(parser, file)) != null) {
                if (!(object instanceof X509CertificateHolder)) {
                    throw new PkiException(Problem.MALFORMED_PEM, file, "block " + (certificates.size() + 1)
                            + " is " + describe(object) + ", expected a CERTIFICATE", null);
                }
                certificates.add(new JcaX509CertificateConverter().getCertificate((X509CertificateHolder) object));
            }
        } catch (IOException e) {
            throw new PkiException(Problem.MALFORMED_PEM, file, "cannot parse PEM: " + e.getMessage(), e);
        } catch (CertificateException e) {
            throw new PkiException(Problem.MALFORMED_PEM, file, "certificate " + (certificates.size() + 1)
                    + " is not a valid X.509 certificate: " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new PkiException(Problem.MALFORMED_PEM, file, "no CERTIFICATE block found", null);
        }
        return List.copyOf(certificates);
    }

    /**
     * Reads a PKCS#8 EC P-256 private key; {@code passphrase} may be null for an unencrypted key.
     * The file must not be accessible to group or others.
     */
    public static PrivateKey readPrivateKey(Path file, char[] passphrase) throws PkiException {
        requireOwnerOnly(file);
        Object object;
        try (PEMParser parser = new PEMParser(new StringReader(readText(file)))) {
            object = readObject(parser, file);
            if (object == null) {
                throw new PkiException(Problem.MALFORMED_PEM, file, "no PRIVATE KEY block found", null);
            }
            Object extra = readObject(parser, file);
            if (extra != null) {
                throw new PkiException(Problem.MALFORMED_PEM, file, "holds more than one PEM block (the second is "
                        + describe(extra) + "); a key file holds exactly one key", null);
            }
        } catch (IOException e) {
            throw new PkiException(Problem.MALFORMED_PEM, file, "cannot parse PEM: " + e.getMessage(), e);
        }
        PrivateKeyInfo info;
        if (object instanceof PKCS8EncryptedPrivateKeyInfo) {
            if (passphrase == null) {
                throw new PkiException(Problem.PASSPHRASE_REQUIRED, file,
                        "the private key is encrypted and no passphrase was given", null);
            }
            try {
                info = ((PKCS8EncryptedPrivateKeyInfo) object).decryptPrivateKeyInfo(
                        new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(Provider.INSTANCE).build(passphrase));
            } catch (PKCSException | OperatorCreationException | RuntimeException e) {
                throw new PkiException(Problem.WRONG_PASSPHRASE, file,
                        "the passphrase does not decrypt the private key", e);
            }
        } else if (object instanceof PrivateKeyInfo) {
            info = (PrivateKeyInfo) object;
        } else {
            throw new PkiException(Problem.MALFORMED_PEM, file, "holds " + describe(object)
                    + ", expected a PKCS#8 PRIVATE KEY or ENCRYPTED PRIVATE KEY", null);
        }
        PrivateKey key;
        try {
            key = new JcaPEMKeyConverter().getPrivateKey(info);
        } catch (IOException | RuntimeException e) {
            throw new PkiException(passphrase == null ? Problem.MALFORMED_PEM : Problem.WRONG_PASSPHRASE, file,
                    "the private key cannot be decoded" + (passphrase == null ? "" : " (wrong passphrase?)") + ": "
                            + e.getMessage(), e);
        }
        requireP256(key, file);
        return key;
    }

    /** Writes certificates (first the end entity, then its issuers) to a new file, mode 0644. */
    public static void writeCertificates(Path file, List<X509Certificate> certificates) throws PkiException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            for (X509Certificate certificate : certificates) {
                writer.writeObject(certificate);
            }
        } catch (IOException e) {
            throw new PkiException(Problem.FILE_UNWRITABLE, file, "cannot encode certificates: " + e.getMessage(), e);
        }
        writeNewFile(file, text.toString(), WORLD_READABLE);
    }

    /** Writes a private key as PKCS#8 to a new owner-only file, encrypted if {@code passphrase} is not null. */
    public static void writePrivateKey(Path file, PrivateKey key, char[] passphrase) throws PkiException {
        if (passphrase != null && passphrase.length == 0) {
            throw new PkiException(Problem.WRONG_PASSPHRASE, file,
                    "an empty passphrase protects nothing; give none for an unencrypted key", null);
        }
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            PemObject pem;
            if (passphrase == null) {
                pem = new JcaPKCS8Generator(key, null).generate();
            } else {
                pem = new JcaPKCS8Generator(key, new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                        .setPRF(PKCS8Generator.PRF_HMACSHA256).setIterationCount(PBKDF2_ITERATIONS)
                        .setRandom(new SecureRandom()).setProvider(Provider.INSTANCE).setPassword(passphrase)
                        .build()).generate();
            }
            writer.writeObject(pem);
        } catch (IOException | OperatorCreationException e) {
            throw new PkiException(Problem.FILE_UNWRITABLE, file, "cannot encode the private key: " + e.getMessage(),
                    e);
        }
        writeNewFile(file, text.toString(), OWNER_ONLY);
    }

    /**
     * Writes certificates and their private key to two new files; neither may exist, and if the key
     * cannot be written the certificate file is removed again, so no half pair is left behind.
     */
    public static void writeCredentials(Path certificateFile, List<X509Certificate> certificates, Path keyFile,
            PrivateKey key, char[] passphrase) throws PkiException {
        if (Files.exists(keyFile, LinkOption.NOFOLLOW_LINKS)) {
            throw new PkiException(Problem.FILE_EXISTS, keyFile, "exists already; remove it first to replace it",
                    null);
        }
        writeCertificates(certificateFile, certificates);
        try {
            writePrivateKey(keyFile, key, passphrase);
        } catch (PkiException e) {
            try {
                Files.deleteIfExists(certificateFile);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static void writeNewFile(Path file, String content, Set<PosixFilePermission> permissions)
            throws PkiException {
        boolean posix = Files.getFileAttributeView(file.toAbsolutePath().getParent(), PosixFileAttributeView.class)
                != null;
        try {
            // Created with its final mode (O_EXCL): a key is never readable by others, not even briefly.
            if (posix) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(permissions));
                Files.setPosixFilePermissions(file, permissions);
            } else {
                Files.createFile(file);
            }
        } catch (FileAlreadyExistsException e) {
            throw new PkiException(Problem.FILE_EXISTS, file, "exists already; remove it first to replace it", e);
        } catch (IOException e) {
            throw new PkiException(Problem.FILE_UNWRITABLE, file, "cannot create: " + e, e);
        }
        try {
            Files.writeString(file, content, StandardCharsets.US_ASCII, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // the write error is the one to report
            }
            throw new PkiException(Problem.FILE_UNWRITABLE, file, "cannot write: " + e, e);
        }
    }

    private static void requireOwnerOnly(Path file) throws PkiException {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            return;
        }
        Set<PosixFilePermission> permissions;
        try {
            permissions = Files.getPosixFilePermissions(file);
        } catch (NoSuchFileException e) {
            throw new PkiException(Problem.FILE_UNREADABLE, file, "does not exist", e);
        } catch (IOException e) {
            throw new PkiException(Problem.FILE_UNREADABLE, file, "cannot read its permissions: " + e, e);
        }
        Set<PosixFilePermission> excess = EnumSet.noneOf(PosixFilePermission.class);
        excess.addAll(permissions);
        excess.retainAll(GROUP_OR_OTHERS);
        if (!excess.isEmpty()) {
            throw new PkiException(Problem.INSECURE_KEY_FILE, file, "private key file has permissions "
                    + PosixFilePermissions.toString(permissions) + "; group and others must have none (chmod 600)",
                    null);
        }
    }

    private static String readText(Path file) throws PkiException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new PkiException(Problem.FILE_UNREADABLE, file, "does not exist", e);
        } catch (IOException e) {
            throw new PkiException(Problem.FILE_UNREADABLE, file, "cannot read: " + e, e);
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new PkiException(Problem.FILE_UNREADABLE, file, "is larger than " + MAX_FILE_BYTES
                    + " bytes; not a PEM certificate or key file", null);
        }
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] < 0) {
                throw new PkiException(Problem.MALFORMED_PEM, file, "non-ASCII byte at offset " + i
                        + "; PEM is ASCII (a DER file needs converting)", null);
            }
        }
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    private static Object readObject(PEMParser parser, Path file) throws PkiException {
        try {
            return parser.readObject();
        } catch (IOException | RuntimeException e) {
            throw new PkiException(Problem.MALFORMED_PEM, file, "cannot parse PEM block: " + e.getMessage(), e);
        }
    }

    private static String describe(Object pemObject) {
        if (pemObject instanceof X509CertificateHolder) {
            return "a CERTIFICATE";
        }
        if (pemObject instanceof PrivateKeyInfo || pemObject instanceof PKCS8EncryptedPrivateKeyInfo) {
            return "a private key";
        }
        return "a " + pemObject.getClass().getSimpleName() + " (not a PKCS#8 key or certificate)";
    }

    private static void requireP256(PrivateKey key, Path file) throws PkiException {
        if (!(key instanceof ECPrivateKey)) {
            throw new PkiException(Problem.UNSUPPORTED_KEY, file, "holds a " + key.getAlgorithm()
                    + " key; the administrator PKI uses EC P-256 keys only", null);
        }
        if (!isP256((ECPrivateKey) key)) {
            throw new PkiException(Problem.UNSUPPORTED_KEY, file,
                    "holds an EC key on another curve; the administrator PKI uses P-256 (secp256r1) only", null);
        }
    }

    static boolean isP256(ECPrivateKey key) {
        try {
            AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
            parameters.init(key.getParams());
            String curve = parameters.getParameterSpec(ECGenParameterSpec.class).getName();
            return curve.equals("1.2.840.10045.3.1.7") || curve.equals("secp256r1");
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
