package io.coscale.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The quick tour of README.md as its reader finds it: the {@code sh} blocks under the heading "A quick tour", up to
 * the next heading of that level. A block is run by bash as written, with {@code localhost:8080} pointed at the
 * test's app; its {@code # → } lines are what its output must show, line by line in order, with {@code …} for
 * anything.
 */
final class Tour {

    static final String HEADING = "## A quick tour";
    private static final Pattern BLOCK = Pattern.compile("```sh\\n(.*?)```", Pattern.DOTALL);
    private static final String SHOWS = "# → ";

    private final String text;
    private final List<String> blocks;
    private final Set<String> notRun;

    private Tour(String text, List<String> blocks) {
        this.text = text;
        this.blocks = blocks;
        this.notRun = new LinkedHashSet<>(blocks);
    }

    static Tour fromReadme() {
        String readme;
        try {
            readme = Files.readString(Path.of("README.md"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int start = readme.indexOf("\n" + HEADING + "\n");
        assertThat(start).as("README.md has a section '" + HEADING + "'").isNotNegative();
        int end = readme.indexOf("\n## ", start + 1);
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        List<String> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(section);
        while (m.find()) {
            blocks.add(m.group(1));
        }
        assertThat(blocks).as("the tour's sh blocks").isNotEmpty();
        return new Tour(section, blocks);
    }

    /** Fails unless the tour's text makes each claim, word for word: the test checks these and no others. */
    void requireClaims(String... claims) {
        for (String claim : claims) {
            assertThat(text).as("the tour's claim").contains(claim);
        }
    }

    /** Runs the one block that contains {@code marker}, checks what it shows, and returns its output. */
    String run(String marker) throws IOException, InterruptedException {
        List<String> matching = blocks.stream().filter(b -> b.contains(marker)).toList();
        assertThat(matching).as("tour blocks containing " + marker).hasSize(1);
        String block = matching.get(0);
        notRun.remove(block);
        String output = bash(block.replace("localhost:8080", "localhost:" + ReadmeTourTest.port()));
        List<String> lines = output.lines().toList();
        int at = 0;
        for (String shows : shows(block)) {
            Pattern expected = pattern(shows.replace(":8080", ":" + ReadmeTourTest.port()));
            while (at < lines.size() && !expected.matcher(lines.get(at)).matches()) {
                at++;
            }
            assertThat(at).as("the block\n%s\nshows a line like\n%s\nin its output, after the lines before:\n%s",
                    block, shows, output).isLessThan(lines.size());
            at++;
        }
        return output;
    }

    /** The blocks not run so far. */
    List<String> notRun() {
        return List.copyOf(notRun);
    }

    private static List<String> shows(String block) {
        return block.lines().filter(l -> l.startsWith(SHOWS)).map(l -> l.substring(SHOWS.length())).toList();
    }

    /** A shown line as a pattern: literal, but {@code …} for anything. */
    static Pattern pattern(String shown) {
        return Pattern.compile(java.util.Arrays.stream(shown.split("…", -1)).map(Pattern::quote)
                .collect(Collectors.joining(".*")));
    }

    private static String bash(String script) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("bash", "-eo", "pipefail", "-c", script).redirectErrorStream(true).start();
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the block ends").isTrue();
        String output = new String(out, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("exit code of\n%s\noutput:\n%s", script, output).isZero();
        return output;
    }
}
