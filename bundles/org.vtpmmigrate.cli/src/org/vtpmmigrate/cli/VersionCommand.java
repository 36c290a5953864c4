package org.vtpmmigrate.cli;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.security.CodeSource;
import java.util.List;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/** Prints the CLI's version and Java runtime. */
final class VersionCommand implements Command {
    @Override
    public String name() {
        return "version";
    }

    @Override
    public String synopsis() {
        return "";
    }

    @Override
    public String summary() {
        return "print the version of vTPM Migrate and of Java";
    }

    @Override
    public ExitCode run(List<String> args, PrintStream out) throws UsageException {
        Arguments.parse(args, Set.of(), Set.of());
        out.println("vtpm-migrate " + bundleVersion());
        out.println("java " + Runtime.version());
        return ExitCode.OK;
    }

    /** The Bundle-Version of the jar this class came from (the CLI runs on the plain class path). */
    static String bundleVersion() {
        try {
            CodeSource source = VersionCommand.class.getProtectionDomain().getCodeSource();
            if (source != null && source.getLocation().getPath().endsWith(".jar")) {
                try (JarFile jar = new JarFile(new File(source.getLocation().toURI()))) {
                    Manifest manifest = jar.getManifest();
                    String v = manifest == null ? null : manifest.getMainAttributes().getValue("Bundle-Version");
                    if (v != null) {
                        return v;
                    }
                }
            }
        } catch (IOException | URISyntaxException | SecurityException e) {
            // fall through: a build from class folders has no manifest to read
        }
        return "(unpackaged build)";
    }
}
