package org.elasticsearch.plugins;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.elasticsearch.Version;
import org.elasticsearch.common.settings.Settings;

/**
 * A PluginsService whose plugins are classes already on the classpath, instead of bundles unpacked
 * under modules/ and plugins/. Elastic publishes the server and its modules as plain jars on Maven
 * Central; this is how they become a node's modules (the approach of codelibs'
 * ClusterRunnerPluginsService and of Elastic's own MockPluginsService). It lives in Elastic's
 * package because LoadedPlugin and loadPlugin are package-private.
 */
public class ClasspathPluginsService extends PluginsService {

    private final List<LoadedPlugin> loaded;

    public ClasspathPluginsService(Settings settings, Path configPath,
            List<Class<? extends Plugin>> pluginClasses) {
        super(settings, configPath, emptyLoader());
        List<LoadedPlugin> plugins = new ArrayList<>(pluginClasses.size());
        for (Class<? extends Plugin> pluginClass : pluginClasses) {
            Plugin plugin = loadPlugin(pluginClass, settings, configPath);
            PluginDescriptor descriptor = new PluginDescriptor(
                    pluginClass.getSimpleName(), "classpath module " + pluginClass.getName(),
                    "NA", Version.CURRENT.toString(),
                    Integer.toString(Runtime.version().feature()), pluginClass.getName(), null,
                    List.of(), false, false, false, false);
            plugins.add(new LoadedPlugin(descriptor, plugin, pluginClass.getClassLoader()));
        }
        this.loaded = List.copyOf(plugins);
    }

    /** A loader with no module or plugin bundles: nothing is read from disk. */
    public static PluginsLoader emptyLoader() {
        return PluginsLoader.createPluginsLoader(Set.of(), Set.of(), Map.of(), false);
    }

    @Override
    protected List<LoadedPlugin> plugins() {
        return loaded;
    }
}
