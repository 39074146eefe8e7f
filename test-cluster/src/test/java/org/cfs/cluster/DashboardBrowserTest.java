package org.cfs.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The status page of a real node ({@code cfs node --http}) in a real headless browser (Debian's
 * chromium through chromedriver): it loads with no console error, draws every vnode of a ring of
 * three node processes, and follows one leaving. Skipped without chromium and chromedriver, unless
 * {@code CFS_REQUIRE_BROWSER=1} (as CI sets), where that fails instead.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class DashboardBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final int VNODES = 2;

    @TempDir
    Path dir;

    @Test
    void drawsTheRingAndFollowsANodeLeaving() throws Exception {
        requireBrowser();
        try (NodeProcesses nodes = new NodeProcesses(dir.resolve("ring"), 3, VNODES)) {
            int http = NodeProcesses.freePorts(1).get(0);
            nodes.start(0, null, "a", "--http", "127.0.0.1:" + http);
            nodes.awaitLog(0, "started a new ring", Duration.ofSeconds(60));
            for (int i = 1; i < 3; i++) {
                nodes.start(i, nodes.endpoint(0), "a");
            }
            for (int i = 1; i < 3; i++) {
                nodes.awaitLog(i, "joined ring", Duration.ofSeconds(60));
            }
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
            ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                    .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1200,760");
            LoggingPreferences logs = new LoggingPreferences();
            logs.enable(LogType.BROWSER, Level.ALL);
            options.setCapability("goog:loggingPrefs", logs);
            WebDriver browser = new ChromeDriver(service, options);
            try {
                browser.get("http://127.0.0.1:" + http + "/");
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(90), Duration.ofMillis(250));
                wait.until(b -> text(b, "vnode-count").equals(String.valueOf(3 * VNODES))
                        && text(b, "state").equals("closed"));
                assertEquals(3 * VNODES, browser.findElements(By.cssSelector("circle.vnode")).size());
                assertEquals("3", text(browser, "host-count"));
                assertEquals(nodes.endpoint(0).toString(), text(browser, "node"));
                assertEquals(VNODES + 1, browser.findElements(By.cssSelector("#vnodes tr")).size(), "a row per own vnode");
                Path shot = Path.of("target", "dashboard.png");
                Files.write(shot, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));

                // A node leaves (SIGTERM: it hands over its blocks and leaves); the page follows by itself.
                Process leaving = nodes.process(2);
                leaving.destroy();
                assertTrue(leaving.waitFor(60, TimeUnit.SECONDS), "node 2 did not exit");
                assertEquals(0, leaving.exitValue(), nodes.log(2));
                wait.until(b -> text(b, "vnode-count").equals(String.valueOf(2 * VNODES))
                        && text(b, "state").equals("closed"));
                assertEquals(2 * VNODES, browser.findElements(By.cssSelector("circle.vnode")).size());
                assertEquals("2", text(browser, "host-count"));

                List<LogEntry> severe = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                        .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue()).toList();
                assertEquals(List.of(), severe, "console errors or warnings");
            } finally {
                browser.quit();
                service.stop();
            }
        }
    }

    private static String text(WebDriver browser, String id) {
        return browser.findElement(By.id(id)).getText();
    }

    private static void requireBrowser() {
        String missing = !Files.isExecutable(CHROMIUM) ? "no " + CHROMIUM + " (apt-get install chromium)"
                : !Files.isExecutable(CHROMEDRIVER) ? "no " + CHROMEDRIVER + " (apt-get install chromium-driver)" : null;
        if (missing == null) {
            return;
        }
        if ("1".equals(System.getenv("CFS_REQUIRE_BROWSER"))) {
            throw new AssertionError("CFS_REQUIRE_BROWSER=1 but the browser test cannot run: " + missing);
        }
        Assumptions.abort("browser test skipped: " + missing);
    }
}
