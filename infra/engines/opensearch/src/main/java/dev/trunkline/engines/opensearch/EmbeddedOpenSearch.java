package dev.trunkline.engines.opensearch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;

/**
 * One OpenSearch node for tests, started from the jars Maven Central serves instead of a
 * distribution tarball: {@code EmbeddedOpenSearch HOME HTTP_PORT [CLUSTER_NAME]}.
 *
 * <p>HOME holds data/ and logs/ (path.data, path.logs; created if missing); the log itself
 * goes to stdout. HTTP (plain, no security plugin) listens on 127.0.0.1:HTTP_PORT; 0 picks a
 * free port. Once the node answers HTTP it prints {@code opensearch ready http://127.0.0.1:PORT}.
 * It runs until SIGTERM or SIGINT, then closes the node so that Lucene commits and lock files
 * are released.
 *
 * <p>JVM flags: a heap ({@code -Xms512m -Xmx512m} is plenty for tests) and
 * {@code -Djava.locale.providers=SPI,CLDR}, which OpenSearch's own launcher sets so that its
 * IsoCalendarDataProvider (ISO week rules for week-based date formats) is used.
 */
public final class EmbeddedOpenSearch {

    /**
     * The plugin class of each module in pom.xml. A distribution finds modules through the
     * plugin-descriptor.properties in its modules/ folder; the Maven jars have no descriptor,
     * so they are named here and loaded from the classpath, the way the test framework's
     * MockNode does it.
     */
    private static final List<String> MODULES = List.of(
        "org.opensearch.transport.Netty4Plugin",
        "org.opensearch.analysis.common.CommonAnalysisPlugin",
        "org.opensearch.index.mapper.MapperExtrasPlugin",
        "org.opensearch.painless.PainlessPlugin",
        "org.opensearch.script.mustache.MustachePlugin",
        "org.opensearch.index.reindex.ReindexPlugin",
        "org.opensearch.ingest.common.IngestCommonPlugin");

    /**
     * Node's constructor that takes classpath plugins is protected; a distribution reaches
     * it through Bootstrap, which also runs the bootstrap checks and installs the security
     * manager. Neither is wanted for a loopback test node, so this subclass calls it
     * directly and keeps Node's default (empty) pre-HTTP validation.
     */
    private static final class ClasspathNode extends Node {
        ClasspathNode(Environment environment, List<Class<? extends Plugin>> plugins) {
            super(environment, plugins, true);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: EmbeddedOpenSearch HOME HTTP_PORT [CLUSTER_NAME]");
            System.exit(2);
        }
        // Before anything touches Log4j. Its built-in configuration prints to stdout (the
        // engine manager keeps that as the run's log) but only errors: INFO shows startup,
        // index creation and warnings. Its own shutdown hook would stop logging before the
        // node has closed, hiding errors on the way down. -D on the command line wins.
        setDefaultProperty("log4j2.level", "INFO");
        setDefaultProperty("log4j.shutdownHookEnabled", "false");

        Path home = Path.of(args[0]).toAbsolutePath();
        int httpPort = Integer.parseInt(args[1]);
        String clusterName = args.length == 3 ? args[2] : "trunkline";
        Files.createDirectories(home.resolve("data"));
        Files.createDirectories(home.resolve("logs"));

        Settings settings = Settings.builder()
            .put("cluster.name", clusterName)
            .put("node.name", "node-0")
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            // Loopback only; transport on a free port: with one node nothing connects to it.
            .put("network.host", "127.0.0.1")
            .put("http.port", httpPort)
            .put("transport.port", 0)
            // No cluster bootstrapping or peer discovery: the node elects itself at once.
            .put("discovery.type", "single-node")
            // A nearly full disk on a developer's machine must not turn indices read-only.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .build();

        // No log4j2.properties to read: keep Log4j's built-in console setup.
        LogConfigurator.configureWithoutConfig(settings);

        Environment environment =
            InternalSettingsPreparer.prepareEnvironment(settings, Collections.emptyMap(), null, () -> "node-0");
        Node node = new ClasspathNode(environment, loadModules());

        // Released by the shutdown hook once the node is closed; keeps the JVM alive until then
        // (OpenSearch's own threads are daemon threads).
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                if (!node.awaitClose(30, TimeUnit.SECONDS)) {
                    System.err.println("opensearch: node did not close within 30s");
                }
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "opensearch-shutdown"));

        try {
            node.start();
        } catch (Exception e) {
            // Exiting runs the hook, which closes what did start (ports, data-path lock).
            e.printStackTrace();
            System.exit(1);
        }

        // One node has nowhere to put replicas, so new indices would stay yellow. Index
        // creation reads this default from the cluster's settings, not the node's, so it is
        // set through the API (before "ready", so no test index is created without it).
        node.client().admin().cluster().prepareUpdateSettings()
            .setPersistentSettings(Settings.builder().put("cluster.default_number_of_replicas", 0))
            .get();

        int port = node.injector().getInstance(HttpServerTransport.class)
            .boundAddress().publishAddress().getPort();
        System.out.println("opensearch ready http://127.0.0.1:" + port);
        stopped.await();
    }

    private static void setDefaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Class<? extends Plugin>> loadModules() throws ClassNotFoundException {
        List<Class<? extends Plugin>> plugins = new ArrayList<>();
        for (String name : MODULES) {
            plugins.add((Class<? extends Plugin>) Class.forName(name));
        }
        return plugins;
    }
}
