package io.playlens.bench;

import io.playlens.collect.Beacon;
import io.playlens.collect.BeaconEvent;
import io.playlens.collect.EventType;
import io.playlens.collect.MediaInfo;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Simulates viewers' playback sessions as the tracker would report them: impression, play or not,
 * first frame after a startup delay, 5-second watch heartbeats, pauses, seeks, rebuffers, drop-off
 * along the video, and the end. Used by the demo set-up and the load generator.
 */
public final class SessionSimulator {
  /** A catalogue entry. */
  public record Video(String id, String title, double duration, List<String> tags) {}

  /** One simulated session: what the tracker sends, and who sends it. */
  public record Session(Beacon beacon, InetAddress ip, String userAgent, Instant endedAt) {}

  public static final List<Video> CATALOGUE =
      List.of(
          new Video("intro-2026", "Welcome to Acme", 94.0, List.of("onboarding")),
          new Video("product-tour", "Product tour", 312.5, List.of("onboarding", "product")),
          new Video("pricing-explained", "Pricing explained", 146.0, List.of("sales")),
          new Video("webinar-q3", "Q3 webinar recording", 2710.0, List.of("webinar")),
          new Video("customer-story-nova", "Customer story: Nova Bank", 201.3, List.of("sales")),
          new Video("how-to-export", "How to export your data", 88.7, List.of("support")),
          new Video("release-notes-11", "What's new in 11.0", 175.0, List.of("product")),
          new Video("team-culture", "Life at Acme", 122.0, List.of("hiring")));

  /** Weighted so that desktop Chrome and iPhone Safari dominate, as on real sites. */
  private static final List<String> USER_AGENTS =
      List.of(
          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36",
          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36",
          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36 Edg/141.0.0.0",
          "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36",
          "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
          "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
          "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
          "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
          "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
          "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Mobile Safari/537.36",
          "Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
          "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
          "Mozilla/5.0 (SMART-TV; Linux; Tizen 7.0) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/5.0 Chrome/94.0.4606.31 TV Safari/537.36",
          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36 OPR/116.0.0.0");

  /** Crawlers and monitors that load player pages too; the bot step drops them. */
  private static final List<String> BOT_AGENTS =
      List.of(
          "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
          "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
          "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/142.0.0.0 Safari/537.36");

  private static final List<String> REFERRERS =
      List.of(
          "https://www.google.com/",
          "",
          "",
          "https://www.linkedin.com/",
          "https://news.ycombinator.com/",
          "https://duckduckgo.com/");

  private static final List<String> EMAIL_DOMAINS =
      List.of("example.com", "example.org", "example.net");

  private final Random random;
  private final String key;

  public SessionSimulator(String playerKey, long seed) {
    this.key = playerKey;
    this.random = new Random(seed);
  }

  /** A whole session starting at {@code start}, sent as one beacon when it ends. */
  public Session session(Instant start) {
    Video video = CATALOGUE.get(skewedIndex(CATALOGUE.size()));
    String session = UUID.randomUUID().toString();
    String viewer = "v" + Long.toHexString(random.nextLong() & 0xffffffffffL);
    List<BeaconEvent> events = new ArrayList<>();
    Instant at = start;
    events.add(event(EventType.IMPRESSION, at));
    if (random.nextDouble() < 0.72) {
      at = at.plusMillis(1500 + random.nextInt(20_000));
      events.add(new BeaconEvent(EventType.PLAY, at, 0.0, null, null, null, null, null, null));
      int startupMs = 250 + (int) Math.abs(random.nextGaussian() * 700);
      at = at.plusMillis(startupMs);
      events.add(
          new BeaconEvent(EventType.START, at, 0.0, null, null, startupMs, null, null, null));
      double watchUntil = dropOff(video.duration());
      double position = 0;
      double segmentStart = 0;
      while (position < watchUntil && events.size() < 480) {
        double step = Math.min(5.0, watchUntil - position);
        position += step;
        at = at.plusMillis((long) (step * 1000));
        if (random.nextDouble() < 0.01) {
          int stall = 300 + random.nextInt(4000);
          events.add(
              new BeaconEvent(
                  EventType.REBUFFER, at, position, null, null, null, stall, null, null));
          at = at.plusMillis(stall);
        }
        events.add(
            new BeaconEvent(
                EventType.WATCH, at, null, segmentStart, position, null, null, null, null));
        segmentStart = position;
        if (random.nextDouble() < 0.02 && position < watchUntil - 10) {
          events.add(
              new BeaconEvent(EventType.PAUSE, at, position, null, null, null, null, null, null));
          at = at.plusSeconds(2 + random.nextInt(60));
          events.add(
              new BeaconEvent(EventType.PLAY, at, position, null, null, null, null, null, null));
        }
        if (random.nextDouble() < 0.01 && position > 10) {
          // back a little, to see a part again: the engagement graph's re-watches
          double target = Math.max(0, position - 5 - random.nextDouble() * 20);
          events.add(
              new BeaconEvent(EventType.SEEK, at, null, position, target, null, null, null, null));
          position = target;
          segmentStart = target;
        } else if (random.nextDouble() < 0.015) {
          double target = Math.min(watchUntil, position + random.nextDouble() * 30);
          events.add(
              new BeaconEvent(EventType.SEEK, at, null, position, target, null, null, null, null));
          position = target;
          segmentStart = target;
        }
      }
      if (watchUntil >= video.duration()) {
        events.add(
            new BeaconEvent(
                EventType.END, at, video.duration(), null, null, null, null, null, null));
      }
    }
    String referrer = REFERRERS.get(random.nextInt(REFERRERS.size()));
    String email =
        random.nextDouble() < 0.15
            ? "viewer"
                + random.nextInt(5000)
                + "@"
                + EMAIL_DOMAINS.get(random.nextInt(EMAIL_DOMAINS.size()))
            : null;
    Beacon beacon =
        new Beacon(
            key,
            session,
            viewer,
            at,
            new MediaInfo(video.id(), video.duration(), "video", video.title(), video.tags()),
            "https://www.acme.example/videos/" + video.id(),
            referrer.isEmpty() ? null : referrer,
            email,
            events);
    String userAgent =
        random.nextDouble() < 0.03
            ? BOT_AGENTS.get(random.nextInt(BOT_AGENTS.size()))
            : USER_AGENTS.get(random.nextInt(USER_AGENTS.size()));
    return new Session(beacon, publicAddress(), userAgent, at);
  }

  private static BeaconEvent event(EventType type, Instant at) {
    return new BeaconEvent(type, at, null, null, null, null, null, null, null);
  }

  /** Where the viewer stops: many leave early, a third watch to the end. */
  private double dropOff(double duration) {
    if (random.nextDouble() < 0.33) {
      return duration;
    }
    double share = Math.min(1.0, -Math.log(1 - random.nextDouble()) * 0.3);
    return Math.max(1.0, Math.round(duration * share * 10) / 10.0);
  }

  private int skewedIndex(int size) {
    double u = random.nextDouble();
    return Math.min(size - 1, (int) (size * u * u));
  }

  /** A random address outside private, loopback, multicast and reserved blocks. */
  private InetAddress publicAddress() {
    while (true) {
      int first = 1 + random.nextInt(223);
      if (first == 10
          || first == 127
          || first == 100
          || first == 169
          || first == 172
          || first == 192
          || first == 198
          || first == 203) {
        continue;
      }
      byte[] bytes = {
        (byte) first,
        (byte) random.nextInt(256),
        (byte) random.nextInt(256),
        (byte) (1 + random.nextInt(254))
      };
      try {
        return InetAddress.getByAddress(bytes);
      } catch (UnknownHostException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
