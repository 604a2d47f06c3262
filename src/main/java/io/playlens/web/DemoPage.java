package io.playlens.web;

import static java.util.Objects.requireNonNull;

import io.javalin.http.Context;
import io.playlens.account.Environment;
import io.playlens.account.MetadataStore;
import io.playlens.account.PlayerKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * {@code GET /demo}: a real video with the tracker attached to the demo account's production player
 * key, and a panel listing the events as the server acknowledges them. {@code GET
 * /demo/playlens-demo.webm} serves the video with range requests, so the player can seek.
 */
public final class DemoPage {
  public static final String ACCOUNT = "demo";
  static final String VIDEO = "web/demo/playlens-demo.webm";

  private final MetadataStore metadata;
  private final String template;
  private final byte[] video;
  private final TrackerScript tracker;

  public DemoPage(MetadataStore metadata, TrackerScript tracker) {
    this.metadata = requireNonNull(metadata, "metadata is null");
    this.tracker = requireNonNull(tracker, "tracker is null");
    this.template = new String(resource("web/demo/index.html"), StandardCharsets.UTF_8);
    this.video = resource(VIDEO);
  }

  private static byte[] resource(String name) {
    try (InputStream in = DemoPage.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void page(Context ctx) {
    ctx.header("Cache-Control", "no-store");
    Optional<PlayerKey> key =
        metadata.playerKeys(ACCOUNT).stream()
            .filter(k -> k.environment() == Environment.PRODUCTION && !k.revoked())
            .findFirst();
    if (key.isEmpty()) {
      ctx.status(404)
          .html(
              "<!doctype html><meta charset=utf-8><title>Playlens demo</title>"
                  + "<p>There is no <code>demo</code> account with a production player key on this"
                  + " server. Run <code>bin/playlens demo</code> to create it.</p>");
      return;
    }
    ctx.html(
        template
            .replace("{{PLAYER_KEY}}", escape(key.get().key()))
            .replace("{{INTEGRITY}}", escape(tracker.integrity())));
  }

  public void video(Context ctx) {
    ctx.header("Cache-Control", "public, max-age=86400");
    ctx.writeSeekableStream(new java.io.ByteArrayInputStream(video), "video/webm", video.length);
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;")
        .replace("'", "&#39;");
  }
}
