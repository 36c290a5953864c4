package org.vtpmmigrate.management.internal;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS contexts of the management API: TLS 1.3 only, our key and chain, and the administrator CA as the
 * only trust anchor (never the JDK's default CAs). Checks of the peer (validity, issuer, extended key
 * usage per side) are the JDK's PKIX trust manager's.
 */
public final class SslContexts {
    public static final String PROTOCOL = "TLSv1.3";
    private static final String ALIAS = "identity";

    private SslContexts() {
    }

    /** A context that presents {@code chain} (end entity first) and trusts only {@code trustAnchor}. */
    public static SSLContext mutual(PrivateKey key, List<X509Certificate> chain, X509Certificate trustAnchor) {
        try {
            char[] storePassword = new char[0];
            KeyStore identity = KeyStore.getInstance("PKCS12");
            identity.load(null, null);
            identity.setKeyEntry(ALIAS, key, storePassword, chain.toArray(new X509Certificate[0]));
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance("PKIX");
            keyManagers.init(identity, storePassword);
            SSLContext context = SSLContext.getInstance(PROTOCOL);
            context.init(keyManagers.getKeyManagers(), trustManagers(trustAnchor).getTrustManagers(),
                    new SecureRandom());
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a TLS context: " + e.getMessage(), e);
        }
    }

    /** A context without a certificate of its own (clients that only check the server). */
    public static SSLContext trustOnly(X509Certificate trustAnchor) {
        try {
            SSLContext context = SSLContext.getInstance(PROTOCOL);
            context.init(null, trustManagers(trustAnchor).getTrustManagers(), new SecureRandom());
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a TLS context: " + e.getMessage(), e);
        }
    }

    /** TLS 1.3 only; {@code needClientAuth} for servers. */
    public static SSLParameters parameters(SSLContext context, boolean needClientAuth) {
        SSLParameters parameters = context.getDefaultSSLParameters();
        parameters.setProtocols(new String[] {PROTOCOL});
        if (needClientAuth) {
            parameters.setNeedClientAuth(true);
        }
        return parameters;
    }

    private static TrustManagerFactory trustManagers(X509Certificate trustAnchor)
            throws GeneralSecurityException, IOException {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("administrator-ca", trustAnchor);
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
        factory.init(trusted);
        return factory;
    }
}
