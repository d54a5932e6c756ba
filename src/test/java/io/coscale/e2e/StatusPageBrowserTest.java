package io.coscale.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import io.coscale.deploy.RecordedAwsCalls;
import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The status page at {@code /} in a real browser (Debian's chromium, headless, through {@code /usr/bin/chromedriver}):
 * jobs submitted through the API move the pools table's figures and the charts' data, up and back down.
 *
 * <p>The build installs chromium and its driver before the tests where it may ({@code src/test/debian/install.sh}, as
 * root with apt-get), so where it could be installed (root), under CI ({@code CI} or
 * {@code COSCALE_BROWSER_TEST=required}, which {@code .ci/run} sets) a missing browser fails the test; elsewhere it
 * skips and says what to install. Every run saves the README's screenshot, docs/status-page.png, taken while the jobs
 * run, so that the picture is always the page as it is.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@WithTestResource(RecordedAwsCalls.class)
@ExtendWith(RecordedAwsCalls.class)
@TestProfile(FreshCounters.class)
class StatusPageBrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    static Path profile;

    static WebDriver browser;

    @TestHTTPResource("/")
    URL page;

    @BeforeAll
    static void startBrowser() throws IOException {
        browser = chromium(profile);
    }

    /** Headless chromium with its profile under {@code profile}; fails or skips, as the class says, without it. */
    static WebDriver chromium(Path profile) throws IOException {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            String missing = "needs " + CHROMIUM + " and " + CHROMEDRIVER + " (Debian: apt-get install -y chromium "
                    + "chromium-driver)";
            if (isRoot() || System.getenv("CI") != null || "required".equals(System.getenv("COSCALE_BROWSER_TEST"))) {
                fail("StatusPageBrowserTest " + missing + "; as root the build installs them (src/test/debian/install.sh)");
            }
            Assumptions.abort("StatusPageBrowserTest skipped: it " + missing + ", which a non-root user cannot install");
        }
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile.resolve("chromium"), "--window-size=1440,1000");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void jobsSubmittedThroughTheApiMoveTheTableAndTheCharts() throws Exception {
        Demo.awaitSettled();
        browser.get(page.toString());
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(figure("desired")).isZero();
            assertThat(chartSeries("tasks", 1)).isNotEmpty();
        });
        assertThat(figure("stopped")).as("no task stopped in the last hour is 0, not blank").isZero();
        assertLegendsShowTheLatestSamples();
        int samplesBefore = chartSeries("tasks", 0).size();
        double submittedAt = System.currentTimeMillis() / 1000.0;

        Demo.submitConcurrently(12, 4, i -> "{\"seconds\": " + (3 + i % 4) + "}");

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            assertThat(figure("desired")).isPositive();
            assertThat(figure("busy")).isPositive();
            assertThat(max(chartSeries("tasks", 1))).as("desired in the tasks chart").isPositive();
            assertThat(max(chartSeries("tasks", 3))).as("busy in the tasks chart").isPositive();
            assertThat(max(chartSeries("tasks", 4))).as("pending in the tasks chart (8 desired, room for 4)").isPositive();
        });
        assertThat(chartSeries("tasks", 5)).as("the pool's max in the tasks chart").isNotEmpty()
                .allSatisfy(max -> assertThat(max.intValue()).isEqualTo(8));
        assertLegendsShowTheLatestSamples();
        assertBusyDoesNotHideRunning();
        assertThat(chartSeries("tasks", 0).size()).isGreaterThan(samplesBefore);
        // A few seconds of the burst on the charts, for the README's picture.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(busySamplesSince(submittedAt)).isGreaterThanOrEqualTo(6));
        screenshot();
        assertThat(browser.findElements(By.cssSelector("#events li[data-kind='scale-up']"))).isNotEmpty();
        assertEveryTimeIsLocalWithItsZoneAndTaskIdsAreShort();

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(figure("desired")).isZero();
            assertThat(figure("running")).isZero();
            assertThat(figure("visible") + figure("inFlight")).isZero();
            List<Number> desired = chartSeries("tasks", 1);
            assertThat(desired.get(desired.size() - 1).intValue()).as("last desired sample").isZero();
        });
        assertThat(browser.findElement(By.id("problem")).isDisplayed()).isFalse();
    }

    /** Local time, 24-hour, with the zone: the one format of every time on the page. */
    static final Pattern TIME = Pattern.compile("\\d{2}:\\d{2}:\\d{2} \\S+");

    /** Without any pointer on them, both charts' legends show each series' latest value, not "--". */
    @SuppressWarnings("unchecked")
    private static void assertLegendsShowTheLatestSamples() {
        for (String chart : List.of("tasks", "queue")) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                // Legend and data read in one script: the chart is redrawn every 2 s.
                Map<String, Object> read = (Map<String, Object>) ((JavascriptExecutor) browser).executeScript(
                        "const c = window.coscale.charts[arguments[0]];"
                                + " const rows = [...document.querySelectorAll(`#chart-${arguments[0]} .u-legend .u-series`)];"
                                + " return {labels: rows.map(r => r.querySelector('.u-label').textContent),"
                                + " values: rows.map(r => r.querySelector('.u-value').textContent),"
                                + " latest: c.data.map(col => col[col.length - 1])};", chart);
                List<String> labels = (List<String>) read.get("labels");
                List<String> values = (List<String>) read.get("values");
                List<Object> latest = (List<Object>) read.get("latest");
                assertThat(labels).as(chart + " legend").containsExactlyElementsOf("tasks".equals(chart)
                        ? List.of("time", "desired", "running", "busy", "pending", "max")
                        : List.of("time", "queued", "in flight", "dead letters"));
                assertThat(values.get(0)).as(chart + " legend's time").matches(TIME);
                for (int i = 1; i < values.size(); i++) {
                    assertThat(values.get(i)).as(chart + " legend's " + labels.get(i))
                            .isEqualTo(String.valueOf(((Number) latest.get(i)).longValue()));
                }
            });
        }
    }

    /** Running is drawn wider than busy, and busy dashed: with every running task busy both lines show. */
    private static void assertBusyDoesNotHideRunning() {
        Object widths = ((JavascriptExecutor) browser).executeScript("const s = window.coscale.charts.tasks.series;"
                + " return [s[2].width, s[3].width, Array.isArray(s[3].dash) && s[3].dash.length > 0];");
        List<?> w = (List<?>) widths;
        assertThat(((Number) w.get(0)).doubleValue()).as("running's width").isGreaterThan(((Number) w.get(1)).doubleValue());
        assertThat(w.get(2)).as("busy dashed").isEqualTo(true);
    }

    /** Every time shown is local with its zone, no ISO timestamp is left in the text, and task ids are cut to 8. */
    @SuppressWarnings("unchecked")
    private static void assertEveryTimeIsLocalWithItsZoneAndTaskIdsAreShort() {
        Map<String, Object> read = (Map<String, Object>) ((JavascriptExecutor) browser).executeScript(
                "return {times: [...document.querySelectorAll('#events time')].map(t => t.textContent),"
                        + " updated: document.getElementById('updated').textContent,"
                        + " text: document.body.innerText,"
                        + " protection: [...document.querySelectorAll(\"#events li[data-kind='protection']\")].map(li => li.textContent)};");
        List<String> times = (List<String>) read.get("times");
        assertThat(times).as("event times").isNotEmpty().allSatisfy(t -> assertThat(t).matches(TIME));
        assertThat((String) read.get("updated")).matches("updated " + TIME.pattern());
        String text = (String) read.get("text");
        assertThat(text).as("the page's text").doesNotContainPattern("\\d{4}-\\d{2}-\\d{2}T\\d{2}:")
                .doesNotContainPattern("[0-9a-f]{32}").doesNotContainPattern("(?i)\\d{1,2}:\\d{2}:\\d{2}\\s?[AP]M");
        assertThat((List<String>) read.get("protection")).as("protection events").isNotEmpty()
                .anySatisfy(event -> assertThat(event).containsPattern("(protected|unprotected) [0-9a-f]{8}\\b"));
    }

    /** A figure of the demo pool's row in the pools table. */
    private static long figure(String field) {
        // Read in one script: the table is redrawn every 2 s, and an element found a moment ago may be gone.
        Object text = ((JavascriptExecutor) browser).executeScript("const td = document.querySelector("
                + "`#pools tr[data-pool='demo'] td[data-field='${arguments[0]}']`); return td ? td.textContent : null;",
                field);
        assertThat(text).as("the demo pool's " + field + " cell").isNotNull();
        return Long.parseLong((String) text);
    }

    /** One column of a chart's data as uPlot holds it: 0 is the time, then the series in the legend's order. */
    @SuppressWarnings("unchecked")
    private static List<Number> chartSeries(String chart, int column) {
        Object data = ((JavascriptExecutor) browser).executeScript(
                "const c = window.coscale && window.coscale.charts[arguments[0]];"
                        + " return c ? c.data[arguments[1]].map(v => v === null ? 0 : v) : [];", chart, column);
        return (List<Number>) data;
    }

    /** How many samples of the tasks chart since {@code epochSeconds} show a busy task. */
    private static long busySamplesSince(double epochSeconds) {
        List<Number> at = chartSeries("tasks", 0);
        List<Number> busy = chartSeries("tasks", 3);
        int n = Math.min(at.size(), busy.size());
        return java.util.stream.IntStream.range(0, n)
                .filter(i -> at.get(i).doubleValue() >= epochSeconds && busy.get(i).intValue() > 0).count();
    }

    private static long max(List<Number> values) {
        return values.stream().mapToLong(Number::longValue).max().orElse(0);
    }

    private static void screenshot() throws IOException {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Path target = Path.of("target", "status-page.png");
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        // The README's picture, retaken on every run so that it cannot go stale (a clean clone may then show it modified).
        Files.copy(shot.toPath(), Path.of("docs", "status-page.png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private static boolean isRoot() throws IOException {
        return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    }
}
