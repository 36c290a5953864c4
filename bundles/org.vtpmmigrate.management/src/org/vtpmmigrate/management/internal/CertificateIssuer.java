package org.vtpmmigrate.management.internal;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.vtpmmigrate.management.Validity;

/**
 * Builds and signs X.509 v3 certificates with ECDSA P-256 / SHA-256. Key generation and signing use the
 * JDK providers; Bouncy Castle only assembles the ASN.1.
 */
public final class CertificateIssuer {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";

    /**
     * The extensions of a certificate.
     *
     * @param certificateAuthority basic constraints cA=true (with {@code pathLength}) or false
     * @param pathLength the CA path length constraint (ignored for end entities)
     * @param keyUsage {@link KeyUsage} bits, or 0 for no key usage extension
     * @param extendedKeyUsages the extended key usages; empty for none
     * @param subjectAlternativeNames DNS names and IP addresses; empty for none
     */
    public record Profile(boolean certificateAuthority, int pathLength, int keyUsage,
            List<KeyPurposeId> extendedKeyUsages, List<GeneralName> subjectAlternativeNames) {
        public Profile {
            extendedKeyUsages = List.copyOf(extendedKeyUsages);
            subjectAlternativeNames = List.copyOf(subjectAlternativeNames);
        }
    }

    private CertificateIssuer() {
    }

    /** A fresh EC P-256 key pair. */
    public static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK offers no EC P-256 key generation", e);
        }
    }

    /**
     * Issues a certificate for {@code subjectKey}, signed with {@code issuerKey}.
     *
     * @param issuerCertificate the issuer's certificate, or null for a self-signed certificate
     */
    public static X509Certificate issue(X500Name subject, PublicKey subjectKey, X509Certificate issuerCertificate,
            PrivateKey issuerKey, Validity validity, Profile profile) {
        X500Name issuer = issuerCertificate == null ? subject
                : X500Name.getInstance(issuerCertificate.getSubjectX500Principal().getEncoded());
        PublicKey issuerPublicKey = issuerCertificate == null ? subjectKey : issuerCertificate.getPublicKey();
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer, serialNumber(),
                    Date.from(validity.notBefore()), Date.from(validity.notAfter()), subject, subjectKey);
            builder.addExtension(Extension.basicConstraints, true, profile.certificateAuthority()
                    ? new BasicConstraints(profile.pathLength()) : new BasicConstraints(false));
            if (profile.keyUsage() != 0) {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(profile.keyUsage()));
            }
            if (!profile.extendedKeyUsages().isEmpty()) {
                builder.addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(profile.extendedKeyUsages().toArray(new KeyPurposeId[0])));
            }
            if (!profile.subjectAlternativeNames().isEmpty()) {
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(profile.subjectAlternativeNames().toArray(new GeneralName[0])));
            }
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    extensions.createSubjectKeyIdentifier(subjectKey));
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                    extensions.createAuthorityKeyIdentifier(issuerPublicKey));
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(issuerKey)));
        } catch (CertIOException | OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot issue a certificate for " + subject, e);
        }
    }

    /** 127 random bits, positive: unpredictable serials (CA/B Forum asks for at least 64). */
    private static BigInteger serialNumber() {
        return new BigInteger(127, RANDOM).setBit(126);
    }
}
