package io.playlens.web;

import java.io.File;
import java.time.Duration;
import java.util.function.Supplier;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium, driven through its chromedriver. It introduces itself with a desktop
 * Chrome user agent: Playlens drops headless browsers as bots.
 */
final class Browser implements AutoCloseable {
  static final String CHROMIUM = "/usr/bin/chromium";
  static final String CHROMEDRIVER = "/usr/bin/chromedriver";

  final ChromeDriver driver;

  Browser() {
    if (!new File(CHROMIUM).canExecute() || !new File(CHROMEDRIVER).canExecute()) {
      throw new IllegalStateException(
          "the browser tests need Debian's chromium and chromium-driver"
              + " (apt-get install chromium chromium-driver; .ci/run does it)");
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--mute-audio",
        "--autoplay-policy=no-user-gesture-required",
        "--window-size=1024,900",
        "--user-agent=" + io.playlens.TestServer.BROWSER);
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER))
            .usingAnyFreePort()
            .build();
    driver = new ChromeDriver(service, options);
  }

  Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  double number(String script, Object... args) {
    Object value = js(script, args);
    return value == null ? Double.NaN : ((Number) value).doubleValue();
  }

  /** Polls until the condition holds; fails with {@code what} after the timeout. */
  static void await(String what, Duration timeout, Supplier<Boolean> condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!holds(condition)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /**
   * Whether the condition holds now. An element that a navigation replaced while the condition
   * looked at it (a form post re-rendering its page) means "not yet", not a failure.
   */
  private static boolean holds(Supplier<Boolean> condition) {
    try {
      return Boolean.TRUE.equals(condition.get());
    } catch (StaleElementReferenceException e) {
      return false;
    }
  }

  @Override
  public void close() {
    driver.quit();
  }
}
