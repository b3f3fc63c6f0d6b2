package org.elasticsearch.node;

import java.util.List;

import org.elasticsearch.env.Environment;
import org.elasticsearch.plugins.ClasspathPluginsService;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.plugins.PluginsLoader;
import org.elasticsearch.plugins.PluginsService;

/**
 * A Node whose modules come from the classpath (see ClasspathPluginsService). It lives in
 * Elastic's package because NodeConstruction and NodeServiceProvider are package-private.
 */
public class ClasspathNode extends Node {

    public ClasspathNode(Environment environment, List<Class<? extends Plugin>> modules) {
        super(NodeConstruction.prepareConstruction(environment,
                ClasspathPluginsService.emptyLoader(), new NodeServiceProvider() {
                    @Override
                    PluginsService newPluginService(Environment env, PluginsLoader loader) {
                        return new ClasspathPluginsService(env.settings(), env.configDir(),
                                modules);
                    }
                }, true));
    }
}
