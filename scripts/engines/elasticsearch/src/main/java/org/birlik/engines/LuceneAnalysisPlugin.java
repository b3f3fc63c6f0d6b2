package org.birlik.engines;

import java.util.Map;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.core.KeywordTokenizer;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.miscellaneous.TrimFilter;
import org.apache.lucene.analysis.miscellaneous.TruncateTokenFilter;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenFilter;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenizer;
import org.apache.lucene.analysis.ngram.NGramTokenFilter;
import org.apache.lucene.analysis.ngram.NGramTokenizer;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.NormalizingTokenFilterFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

/**
 * The analysis components a catalogue mapping commonly names, built straight from Lucene (already
 * on the classpath). Elastic ships them in its analysis-common module, which is not published on
 * Maven Central; without them an index that OpenSearch accepts would be refused here. Only this
 * subset exists, with these parameters (defaults as Elasticsearch documents them):
 * tokenizers {@code whitespace}, {@code keyword}, {@code edge_ngram} and {@code ngram}
 * ({@code min_gram}, {@code max_gram}; no {@code token_chars}); token filters
 * {@code asciifolding} ({@code preserve_original}, also usable in normalizers), {@code edge_ngram}
 * and {@code ngram} ({@code min_gram}, {@code max_gram}, {@code preserve_original}),
 * {@code trim} and {@code truncate} ({@code length}).
 */
public class LuceneAnalysisPlugin extends Plugin implements AnalysisPlugin {

    @Override
    public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
        return Map.of(
                "whitespace", (index, env, name, s) -> TokenizerFactory.newFactory(name,
                        WhitespaceTokenizer::new),
                "keyword", (index, env, name, s) -> TokenizerFactory.newFactory(name,
                        KeywordTokenizer::new),
                "edge_ngram", (index, env, name, s) -> TokenizerFactory.newFactory(name,
                        () -> new EdgeNGramTokenizer(s.getAsInt("min_gram", 1),
                                s.getAsInt("max_gram", 2))),
                "ngram", (index, env, name, s) -> TokenizerFactory.newFactory(name,
                        () -> new NGramTokenizer(s.getAsInt("min_gram", 1),
                                s.getAsInt("max_gram", 2))));
    }

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        return Map.of(
                "asciifolding", (index, env, name, s) -> new AsciiFolding(name, s),
                "edge_ngram", (index, env, name, s) -> filter(name, s,
                        in -> new EdgeNGramTokenFilter(in, s.getAsInt("min_gram", 1),
                                s.getAsInt("max_gram", 2),
                                s.getAsBoolean("preserve_original", false))),
                "ngram", (index, env, name, s) -> filter(name, s,
                        in -> new NGramTokenFilter(in, s.getAsInt("min_gram", 1),
                                s.getAsInt("max_gram", 2),
                                s.getAsBoolean("preserve_original", false))),
                "trim", (index, env, name, s) -> filter(name, s, TrimFilter::new),
                "truncate", (index, env, name, s) -> filter(name, s,
                        in -> new TruncateTokenFilter(in, s.getAsInt("length", 10))));
    }

    private interface Wrap {
        TokenStream apply(TokenStream in);
    }

    private static TokenFilterFactory filter(String name, Settings settings, Wrap wrap) {
        return new AbstractTokenFilterFactory(name, settings) {
            @Override
            public TokenStream create(TokenStream in) {
                return wrap.apply(in);
            }
        };
    }

    /** ASCII folding; per-character, so keyword normalizers may use it too. */
    private static final class AsciiFolding extends AbstractTokenFilterFactory
            implements NormalizingTokenFilterFactory {

        private final boolean preserveOriginal;

        AsciiFolding(String name, Settings settings) {
            super(name, settings);
            this.preserveOriginal = settings.getAsBoolean("preserve_original", false);
        }

        @Override
        public TokenStream create(TokenStream in) {
            return new ASCIIFoldingFilter(in, preserveOriginal);
        }

        @Override
        public TokenStream normalize(TokenStream in) {
            return new ASCIIFoldingFilter(in, false);
        }
    }
}
