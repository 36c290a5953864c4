package org.vtpmmigrate.agent.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.logging.ConsoleHandler;
import java.util.logging.FileHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.stream.Stream;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.startlevel.BundleStartLevel;

/**
 * Starts the engine agent: an OSGi framework (Apache Felix) with every bundle of the distribution's
 * {@code bundle/} folder. Runs on the plain class path, before any bundle exists.
 *
 * <p>Usage: {@code AgentLauncher --config FILE [--home DIR] [--no-shell]}. Exit codes: 0 after a clean
 * stop, 2 for a usage or configuration error (one line on stderr), 1 when the framework fails.
 */
public final class AgentLauncher {
    /** Framework property through which the engine finds its configuration file. */
    static final String CONFIG_PROPERTY = "vtpm.agent.config";
    /** System property the engine sets when it refuses its configuration; makes the exit code 2. */
    static final String FAILURE_PROPERTY = "vtpm.agent.failure";

    private AgentLauncher() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        Path config = null;
        Path home = Paths.get(System.getProperty("vtpm.home", ".")).toAbsolutePath();
        boolean shell = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config":
                    if (++i == args.length) {
                        return usage("--config needs a file");
                    }
                    config = Paths.get(args[i]).toAbsolutePath();
                    break;
                case "--home":
                    if (++i == args.length) {
                        return usage("--home needs a directory");
                    }
                    home = Paths.get(args[i]).toAbsolutePath();
                    break;
                case "--no-shell":
                    shell = false;
                    break;
                case "-h":
                case "--help":
                    System.out.println("usage: vtpm-agent --config FILE [--no-shell]");
                    return 0;
                default:
                    return usage("unknown argument '" + args[i] + "'");
            }
        }
        if (config == null) {
            return usage("--config FILE is required");
        }
        if (!Files.isReadable(config)) {
            return usage("configuration file " + config + " is not readable");
        }
        Properties settings = new Properties();
        try (InputStream in = Files.newInputStream(config)) {
            settings.load(in);
        } catch (IOException | IllegalArgumentException e) {
            return usage("configuration file " + config + ": " + e.getMessage());
        }
        String dataDir = settings.getProperty("data.dir");
        if (dataDir == null || dataDir.isBlank()) {
            return usage("configuration file " + config + ": data.dir is required");
        }
        Path storage = Paths.get(dataDir).toAbsolutePath().resolve("osgi-cache");
        Path logFile = Paths.get(settings.getProperty("log.file", Paths.get(dataDir, "agent.log").toString()));
        try {
            configureLogging(logFile.toAbsolutePath());
        } catch (IOException e) {
            return usage("log file " + logFile + " cannot be written: " + e.getMessage());
        }
        try {
            return launch(home, config, storage, shell);
        } catch (BundleException | IOException | InterruptedException e) {
            System.err.println("vtpm-agent: framework failed: " + e);
            return 1;
        }
    }

    private static int launch(Path home, Path config, Path storage, boolean shell)
            throws BundleException, IOException, InterruptedException {
        Map<String, String> props = new HashMap<>();
        props.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        // every start installs the distribution's bundles afresh: no stale bundle survives an upgrade
        props.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        props.put(CONFIG_PROPERTY, config.toString());
        props.put("gosh.args", shell ? "" : "--nointeractive");
        // reach the last start level inside start(): the agent is up when start() returns
        props.put(Constants.FRAMEWORK_BEGINNING_STARTLEVEL, "3");
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).iterator().next();
        Framework framework = factory.newFramework(props);
        framework.init();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopQuietly(framework), "vtpm-agent-shutdown"));

        List<Bundle> installed = new ArrayList<>();
        List<Path> jars;
        try (Stream<Path> files = Files.list(home.resolve("bundle"))) {
            jars = files.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        }
        for (Path jar : jars) {
            if (!shell && jar.getFileName().toString().startsWith("org.apache.felix.gogo.shell")) {
                continue; // a service without a terminal has no use for the interactive shell
            }
            Bundle b = framework.getBundleContext().installBundle(jar.toUri().toString());
            int level = startLevel(b.getSymbolicName());
            b.adapt(BundleStartLevel.class).setStartLevel(level);
            installed.add(b);
        }
        for (Bundle b : installed) {
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                b.start();
            }
        }
        framework.start();
        framework.waitForStop(0);
        String failure = System.getProperty(FAILURE_PROPERTY);
        if (failure != null) {
            System.err.println("vtpm-agent: " + failure);
            return 2;
        }
        return 0;
    }

    /** One line per record, to the console and to the agent's log file (appended, never truncated). */
    private static void configureLogging(Path logFile) throws IOException {
        Files.createDirectories(logFile.getParent());
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$-7s %3$s: %5$s%6$s%n");
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        SimpleFormatter format = new SimpleFormatter();
        ConsoleHandler console = new ConsoleHandler();
        console.setFormatter(format);
        FileHandler file = new FileHandler(logFile.toString(), true);
        file.setFormatter(format);
        root.addHandler(console);
        root.addHandler(file);
        root.setLevel(Level.INFO);
    }

    /**
     * The DS runtime, configuration admin and the ServiceLoader mediator (level 1) come up before the
     * components that need them (level 2); the interactive shell (level 3) last, so its first prompt
     * finds the agent's commands.
     */
    private static int startLevel(String symbolicName) {
        String name = symbolicName == null ? "" : symbolicName;
        if (name.startsWith("org.apache.felix.scr") || name.startsWith("org.apache.felix.configadmin")
                || name.startsWith("org.osgi.util") || name.startsWith("org.apache.aries.spifly")) {
            return 1;
        }
        return name.startsWith("org.apache.felix.gogo.shell") ? 3 : 2;
    }

    private static void stopQuietly(Framework framework) {
        try {
            framework.stop();
            framework.waitForStop(30_000);
        } catch (BundleException | InterruptedException e) {
            System.err.println("vtpm-agent: clean stop failed: " + e);
        } finally {
            AgentLogManager.agentStopped();
        }
    }

    private static int usage(String reason) {
        System.err.println("vtpm-agent: " + reason);
        return 2;
    }
}
