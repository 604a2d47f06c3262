package io.playlens.enrich;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import nl.basjes.parse.useragent.UserAgent;
import nl.basjes.parse.useragent.UserAgentAnalyzer;

/**
 * Reads user-agent strings with Yauaa: whether the client is a bot, and its device in api.video's
 * vocabulary. Building the analyzer takes seconds, so one instance is built at start-up and shared;
 * its cache makes repeated agents cost microseconds.
 */
public final class UserAgents {
  private static final Set<String> BOT_DEVICE_CLASSES =
      Set.of("Robot", "Robot Mobile", "Robot Imitator", "Spy", "Hacker");
  private static final Set<String> BOT_AGENT_CLASSES =
      Set.of("Robot", "Robot Mobile", "Cloud Application", "Special", "Testclient", "Hacker");

  /**
   * Agents Yauaa reports as ordinary browsers or does not know, but which are automation or
   * monitoring: headless browsers, uptime checkers, page-speed tools and HTTP libraries.
   */
  private static final Pattern BOT_AGENTS =
      Pattern.compile(
          "headless|phantomjs|lighthouse|pingdom|uptimerobot|statuscake|site24x7|datadog"
              + "|newrelicpinger|gtmetrix|pagespeed|selenium|webdriver|puppeteer|playwright"
              + "|bot\\b|crawler|spider|slurp|^curl/|^wget/|python-|python/|^go-http-client"
              + "|^java/|java-http-client|apache-httpclient|okhttp/[0-9.]+$|^node-fetch|^axios/"
              + "|^undici|^libwww|^httpie|^postman",
          Pattern.CASE_INSENSITIVE);

  private static final List<String> FIELDS =
      List.of(
          UserAgent.DEVICE_CLASS,
          UserAgent.OPERATING_SYSTEM_NAME,
          UserAgent.OPERATING_SYSTEM_VERSION,
          UserAgent.AGENT_CLASS,
          UserAgent.AGENT_NAME,
          UserAgent.AGENT_VERSION);

  private static final int CACHE_LIMIT = 50_000;
  private static final int MAX_CACHED_LENGTH = 512;

  private final UserAgentAnalyzer analyzer;

  /**
   * Verdicts by user-agent string. Real traffic repeats a few thousand agents, and the bot regex
   * and Yauaa's lookups cost more than the rest of a request; when full the cache starts over.
   */
  private final ConcurrentHashMap<String, Verdict> verdicts = new ConcurrentHashMap<>();

  /** What a user agent is: a bot, or a device. */
  private record Verdict(boolean bot, Device device) {}

  public UserAgents() {
    this.analyzer =
        UserAgentAnalyzer.newBuilder()
            .hideMatcherLoadStats()
            .withCache(1_000)
            .withFields(FIELDS)
            .immediateInitialization()
            .build();
  }

  public boolean isBot(String userAgent) {
    return userAgent == null || userAgent.isBlank() || verdict(userAgent).bot();
  }

  public Device device(String userAgent) {
    if (userAgent == null || userAgent.isBlank()) {
      return Device.UNKNOWN;
    }
    return verdict(userAgent).device();
  }

  private Verdict verdict(String userAgent) {
    if (userAgent.length() > MAX_CACHED_LENGTH) {
      return classify(userAgent); // real agents are shorter; long ones must not fill the cache
    }
    Verdict verdict = verdicts.get(userAgent);
    if (verdict == null) {
      if (verdicts.size() >= CACHE_LIMIT) {
        verdicts.clear();
      }
      verdict = classify(userAgent);
      verdicts.put(userAgent, verdict);
    }
    return verdict;
  }

  private Verdict classify(String userAgent) {
    UserAgent parsed = analyzer.parse(userAgent);
    boolean bot =
        BOT_AGENTS.matcher(userAgent).find()
            || BOT_DEVICE_CLASSES.contains(parsed.getValue(UserAgent.DEVICE_CLASS))
            || BOT_AGENT_CLASSES.contains(parsed.getValue(UserAgent.AGENT_CLASS));
    return new Verdict(bot, device(parsed));
  }

  private static Device device(UserAgent parsed) {
    return new Device(
        deviceType(parsed.getValue(UserAgent.DEVICE_CLASS)),
        operatingSystem(parsed.getValue(UserAgent.OPERATING_SYSTEM_NAME)),
        known(parsed.getValue(UserAgent.OPERATING_SYSTEM_VERSION)),
        browser(parsed.getValue(UserAgent.AGENT_NAME)),
        known(parsed.getValue(UserAgent.AGENT_VERSION)));
  }

  static String deviceType(String deviceClass) {
    return switch (deviceClass) {
      case "Desktop" -> "computer";
      case "Phone", "Mobile" -> "phone";
      case "Tablet", "eReader" -> "tablet";
      case "TV", "Set-top box" -> "tv";
      case "Game Console", "Handheld Game Console" -> "console";
      case "Watch", "Augmented Reality", "Virtual Reality" -> "wearable";
      default -> "unknown";
    };
  }

  static String operatingSystem(String name) {
    String known = known(name);
    if (known == null) {
      return null;
    }
    return switch (known) {
      case "Windows NT", "Windows" -> "windows";
      case "Mac OS", "Mac OS X", "macOS" -> "mac osx";
      case "iOS", "iPadOS" -> "ios";
      case "Android" -> "android";
      case "Linux", "Ubuntu", "Fedora", "Debian" -> "linux";
      default -> known.toLowerCase(Locale.ROOT);
    };
  }

  static String browser(String name) {
    String known = known(name);
    if (known == null) {
      return null;
    }
    return switch (known) {
      case "Chrome", "Chromium", "Chrome Webview" -> "chrome";
      case "Edge", "Edge Webview" -> "edge";
      case "Safari", "Safari Webview" -> "safari";
      case "Firefox", "Firefox Focus" -> "firefox";
      case "Opera", "Opera Mini", "Opera GX" -> "opera";
      case "SamsungBrowser", "Samsung Internet" -> "samsung internet";
      default -> known.toLowerCase(Locale.ROOT);
    };
  }

  private static String known(String value) {
    if (value == null
        || value.isEmpty()
        || value.startsWith("??")
        || value.equals("Unknown")
        || value.equals("UNKNOWN")) {
      return null;
    }
    return value;
  }
}
