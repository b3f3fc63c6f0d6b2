package org.birlik.engines;

import static org.codelibs.opensearch.runner.OpenSearchRunner.newConfigs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

import org.codelibs.opensearch.runner.OpenSearchRunner;

/**
 * Starts one OpenSearch node on 127.0.0.1 for tests and development, and stops it (deleting its
 * home directory) when the JVM is asked to end (SIGTERM from scripts/engine stop).
 *
 * <p>Usage: {@code OpenSearchLauncher HOME HTTP_PORT}. The security plugin is not on the
 * classpath, discovery is single-node, and disk watermarks are off so a full shared disk cannot
 * turn the test indices read-only.
 */
public final class OpenSearchLauncher {

    private OpenSearchLauncher() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: OpenSearchLauncher HOME HTTP_PORT");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        String httpPort = args[1];
        Files.createDirectories(home);

        OpenSearchRunner runner = new OpenSearchRunner();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runner.close();
            } catch (IOException e) {
                System.err.println("closing the node failed: " + e);
            } finally {
                deleteTree(home);
                stopped.countDown();
            }
        }, "birlik-stop"));
        runner.onBuild((index, settings) -> settings
                .put("node.name", "birlik-opensearch")
                .put("network.host", "127.0.0.1")
                .put("http.port", httpPort)
                .put("discovery.type", "single-node")
                .put("cluster.routing.allocation.disk.threshold_enabled", false))
                .build(newConfigs().basePath(home.toString()).numOfNode(1)
                        .clusterName("birlik-test"));
        System.out.println("birlik: opensearch listening on http://127.0.0.1:" + httpPort);
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
