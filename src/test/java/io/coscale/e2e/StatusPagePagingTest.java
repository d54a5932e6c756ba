package io.coscale.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.coscale.local.LocalCloudTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * The status page a page of pools at a time, in a real browser ({@link StatusPageBrowserTest}'s chromium): the demo
 * pool and a second one created through the API, one per page ({@code ?page-size=1}), next and previous. Apart from
 * the IAM oracle's recording, which would judge the second pool by the walk-through's policy, made for the demo's.
 */
@QuarkusTest
@QuarkusTestResource(LocalCloudTestResource.class)
class StatusPagePagingTest {

    @TempDir
    static Path profile;

    static WebDriver browser;

    @TestHTTPResource("/")
    URL page;

    @BeforeAll
    static void startBrowser() throws IOException {
        browser = StatusPageBrowserTest.chromium(profile);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void thePoolsComeAPageAtATimeWithNextAndPrevious() {
        try (var sqs = HarnessClients.sqs(); var ecs = HarnessClients.ecs()) {
            sqs.createQueue(b -> b.queueName("zz-second"));
            ecs.createService(b -> b.cluster("local").serviceName("zz-second").taskDefinition("demo-worker").desiredCount(0));
        }
        given().contentType("application/json").body("{\"cluster\": \"local\", \"service\": \"zz-second\", "
                + "\"queue-name\": \"zz-second\", \"max-tasks\": 1}").put("/v1/pools/zz-second").then().statusCode(201);

        browser.get(page + "?page-size=1");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(rows()).containsExactly("demo");
            assertThat(browser.findElement(By.id("page-info")).getText()).isEqualTo("pools 1–1 of 2");
            assertThat(browser.findElement(By.id("previous-page")).isEnabled()).isFalse();
        });
        browser.findElement(By.id("next-page")).click();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(rows()).containsExactly("zz-second");
            assertThat(browser.findElement(By.id("page-info")).getText()).isEqualTo("pools 2–2 of 2");
            assertThat(browser.findElement(By.id("next-page")).isEnabled()).isFalse();
        });
        browser.findElement(By.id("previous-page")).click();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(rows()).containsExactly("demo"));

        given().delete("/v1/pools/zz-second").then().statusCode(204);
        // The page refreshes itself: a pool deleted is gone from it, and one page is left, without a pager.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(rows()).containsExactly("demo");
            assertThat(browser.findElement(By.id("pager")).isDisplayed()).isFalse();
        });
    }

    /** The pools of the table's rows, in order. */
    @SuppressWarnings("unchecked")
    private static List<String> rows() {
        return (List<String>) ((JavascriptExecutor) browser).executeScript(
                "return [...document.querySelectorAll('#pools tbody tr[data-pool]')].map(r => r.dataset.pool);");
    }
}
