package org.birlik.engines;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.node.ClasspathNode;
import org.elasticsearch.node.Node;
import org.elasticsearch.transport.netty4.Netty4Plugin;

/**
 * Starts one Elasticsearch node on 127.0.0.1 for tests and development, and stops it (deleting its
 * home directory) when the JVM is asked to end (SIGTERM from scripts/engine stop).
 *
 * <p>Modules: HTTP and transport (Elastic's transport-netty4), {@code GET /}
 * (RootEndpointPlugin) and common Lucene analysis (LuceneAnalysisPlugin). Elastic's other modules
 * are not on Maven Central, so reindex, update/delete-by-query and painless scripts are absent.
 *
 * <p>Usage: {@code ElasticsearchLauncher HOME HTTP_PORT}. Security is absent (Elastic's security
 * lives in x-pack, which is not on the classpath), discovery is single-node, and disk watermarks
 * are off so a full shared disk cannot turn the test indices read-only.
 */
public final class ElasticsearchLauncher {

    /** INFO and above to the console, which scripts/engine sends to the node's log file. */
    private static final String LOG_CONFIG = String.join("\n",
            "status = error",
            "appender.console.type = Console",
            "appender.console.name = console",
            "appender.console.layout.type = PatternLayout",
            "appender.console.layout.pattern = [%d{ISO8601}][%-5p][%-25c{1.}] %m%n",
            "rootLogger.level = info",
            "rootLogger.appenderRef.console.ref = console",
            "");

    private ElasticsearchLauncher() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: ElasticsearchLauncher HOME HTTP_PORT");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        String httpPort = args[1];
        Files.createDirectories(home.resolve("config"));
        Settings settings = Settings.builder()
                .put("path.home", home.toString())
                .put("path.data", home.resolve("data").toString())
                .put("path.logs", home.resolve("logs").toString())
                .put("cluster.name", "birlik-test")
                .put("node.name", "birlik-elasticsearch")
                .put("network.host", "127.0.0.1")
                .put("http.port", httpPort)
                .put("discovery.type", "single-node")
                .put("cluster.routing.allocation.disk.threshold_enabled", false)
                .build();

        Environment environment = new Environment(settings, home.resolve("config"));
        Files.writeString(home.resolve("config").resolve("log4j2.properties"), LOG_CONFIG);
        LogConfigurator.registerErrorListener();
        LogConfigurator.configure(environment, true);

        Node node = new ClasspathNode(environment,
                List.of(Netty4Plugin.class, RootEndpointPlugin.class, LuceneAnalysisPlugin.class));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(30, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException e) {
                System.err.println("closing the node failed: " + e);
            } finally {
                deleteTree(home);
                stopped.countDown();
            }
        }, "birlik-stop"));
        node.start();
        System.out.println("birlik: elasticsearch listening on http://127.0.0.1:" + httpPort);
        stopped.await();
    }

    /** Deletes a directory tree, reporting (not throwing) what could not be removed. */
    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    System.err.println("could not delete " + p + ": " + e);
                }
            });
        } catch (IOException e) {
            System.err.println("could not walk " + root + ": " + e);
        }
    }
}
