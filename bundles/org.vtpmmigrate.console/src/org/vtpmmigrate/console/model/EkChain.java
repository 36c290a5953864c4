package org.vtpmmigrate.console.model;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The EK certificate chain an agent sent, and whether it leads to a TPM manufacturer CA the console
 * trusts. This is the signature path alone: the TCG checks of the EK certificate (its key is the
 * TPM's EK) need the EK public area, which the management API's evidence does not carry yet.
 *
 * @param certificates the chain, EK certificate first
 * @param trusted whether a path to a trusted CA validated
 * @param explanation what was found, in words
 */
public record EkChain(List<X509Certificate> certificates, boolean trusted, String explanation) {

    public EkChain {
        certificates = List.copyOf(certificates);
    }

    /** Checks {@code chain} (base64 DER, EK certificate first) against the CA certificates in {@code caFiles}. */
    public static EkChain check(List<String> chain, List<Path> caFiles) {
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            CertificateFactory x509 = CertificateFactory.getInstance("X.509");
            for (String der : chain) {
                certificates.add((X509Certificate) x509.generateCertificate(
                        new ByteArrayInputStream(Base64.getDecoder().decode(der))));
            }
            if (certificates.isEmpty()) {
                return new EkChain(certificates, false, "The agent sent no EK certificate.");
            }
            Set<TrustAnchor> anchors = new HashSet<>();
            for (Path file : caFiles) {
                try (InputStream in = Files.newInputStream(file)) {
                    for (Certificate c : x509.generateCertificates(in)) {
                        anchors.add(new TrustAnchor((X509Certificate) c, null));
                    }
                }
            }
            if (anchors.isEmpty()) {
                return new EkChain(certificates, false, "No TPM manufacturer CA is trusted yet: add the CA"
                        + " certificates in Preferences > Trust.");
            }
            // the chain as sent, without any certificate that is itself a trust anchor
            List<X509Certificate> path = new ArrayList<>();
            for (X509Certificate c : certificates) {
                if (anchors.stream().noneMatch(a -> a.getTrustedCert().equals(c))) {
                    path.add(c);
                }
            }
            CertPath certPath = x509.generateCertPath(path);
            PKIXParameters parameters = new PKIXParameters(anchors);
            // EK certificates carry no reachable revocation information in most TPMs
            parameters.setRevocationEnabled(false);
            CertPathValidator.getInstance("PKIX").validate(certPath, parameters);
            return new EkChain(certificates, true, "The EK certificate " + certificates.get(0).getSubjectX500Principal()
                    + " chains to a trusted TPM CA.");
        } catch (CertificateException e) {
            return new EkChain(certificates, false, "A certificate of the chain does not parse: " + e.getMessage());
        } catch (IOException e) {
            return new EkChain(certificates, false, "A trusted CA file cannot be read: " + e.getMessage());
        } catch (GeneralSecurityException e) {
            return new EkChain(certificates, false, "The EK certificate does not chain to a trusted TPM CA: "
                    + e.getMessage());
        } catch (IllegalArgumentException e) {
            return new EkChain(certificates, false, "The chain is not valid base64 DER: " + e.getMessage());
        }
    }
}
