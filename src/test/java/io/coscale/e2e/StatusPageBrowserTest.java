package io.coscale.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import io.coscale.deploy.RecordedAwsCalls;
import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
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
 * skips and says what to install. {@code -Dcoscale.screenshot=docs/status-page.png} also saves the
 * README's screenshot, taken while the jobs run.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
@QuarkusTestResource(value = RecordedAwsCalls.class, restrictToAnnotatedClass = true)
@ExtendWith(RecordedAwsCalls.class)
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
        browser = new ChromeDriver(service, options);
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
        int samplesBefore = chartSeries("tasks", 0).size();
        double submittedAt = System.currentTimeMillis() / 1000.0;

        Demo.submitConcurrently(12, 4, i -> "{\"seconds\": " + (3 + i % 4) + "}");

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            assertThat(figure("desired")).isPositive();
            assertThat(figure("busy")).isPositive();
            assertThat(max(chartSeries("tasks", 1))).as("desired in the tasks chart").isPositive();
            assertThat(max(chartSeries("tasks", 3))).as("busy in the tasks chart").isPositive();
        });
        assertThat(chartSeries("tasks", 0).size()).isGreaterThan(samplesBefore);
        // A few seconds of the burst on the charts, for the README's picture.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(busySamplesSince(submittedAt)).isGreaterThanOrEqualTo(6));
        screenshot();
        assertThat(browser.findElements(By.cssSelector("#events li[data-kind='scale-up']"))).isNotEmpty();

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(figure("desired")).isZero();
            assertThat(figure("running")).isZero();
            assertThat(figure("visible") + figure("inFlight")).isZero();
            List<Number> desired = chartSeries("tasks", 1);
            assertThat(desired.get(desired.size() - 1).intValue()).as("last desired sample").isZero();
        });
        assertThat(browser.findElement(By.id("problem")).isDisplayed()).isFalse();
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
        String keep = System.getProperty("coscale.screenshot");
        if (keep != null) {
            Files.copy(shot.toPath(), Path.of(keep), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static boolean isRoot() throws IOException {
        return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    }
}
